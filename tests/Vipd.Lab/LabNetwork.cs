using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Vipd.Lab;

/// <summary>
/// A private layer-2 network made of network namespaces: a bridge namespace "<c>PREFIX-br</c>" holding bridge
/// <c>br0</c> (attached to nothing on the host), node namespaces "<c>PREFIX-n1</c>".."<c>-nN</c>" and a client
/// namespace "<c>PREFIX-c</c>", each with <c>eth0</c> on the bridge. Nodes get 192.0.2.(11+i)/24 and
/// 2001:db8::(11+i)/64, the client 192.0.2.100 and 2001:db8::100. The prefix is "vl" + 4 hex digits, unique per
/// run; a marker <c>/run/vipd-lab/PREFIX.pid</c> names the owning process so that a later run can sweep what a
/// killed run left behind. Dispose (or process exit) kills every process started in the lab and deletes it all.
/// </summary>
public sealed partial class LabNetwork : IAsyncDisposable
{
    /// <summary>Where the ownership markers live.</summary>
    public const string MarkerDirectory = "/run/vipd-lab";

    private const string NetnsDirectory = "/run/netns";
    private const string Bridge = "br0";
    private static readonly Lock LiveLock = new();
    private static readonly List<LabNetwork> Live = [];
    private static readonly List<PosixSignalRegistration> SignalRegistrations = [];
    private static bool _exitHookInstalled;

    private readonly Lock _lock = new();
    private readonly List<LabProcess> _processes = [];
    private readonly List<LabHost> _nodes = [];
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly Dictionary<LabHost, int> _loss = [];
    private int _disposed;
    private int _partitions;

    private LabNetwork(string prefix, int nodes)
    {
        Prefix = prefix;
        WorkDirectory = Path.Combine(Path.GetTempPath(), "vipd-lab", prefix);
        for (var i = 0; i < nodes; i++)
        {
            var name = $"n{(i + 1).ToString(CultureInfo.InvariantCulture)}";
            _nodes.Add(new LabHost(
                this,
                name,
                $"{prefix}-{name}",
                $"p-{name}",
                new PhysicalAddress([0x02, 0x1a, 0xb0, 0x00, 0x00, (byte)(0x11 + i)]),
                IPAddress.Parse($"192.0.2.{(11 + i).ToString(CultureInfo.InvariantCulture)}"),
                IPAddress.Parse($"2001:db8::{(11 + i).ToString(CultureInfo.InvariantCulture)}")));
        }

        Client = new LabHost(
            this,
            "client",
            $"{prefix}-c",
            "p-c",
            new PhysicalAddress([0x02, 0x1a, 0xb0, 0x00, 0x01, 0x00]),
            IPAddress.Parse("192.0.2.100"),
            IPAddress.Parse("2001:db8::100"));
    }

    /// <summary>The first IPv4 VIP for tests: 192.0.2.200.</summary>
    public static IPAddress Vip4 { get; } = IPAddress.Parse("192.0.2.200");

    /// <summary>The first IPv6 VIP for tests: 2001:db8::200.</summary>
    public static IPAddress Vip6 { get; } = IPAddress.Parse("2001:db8::200");

    /// <summary>"vl" + 4 hex digits; every namespace of this lab starts with it followed by '-'.</summary>
    public string Prefix { get; }

    /// <summary>The nodes n1..nN.</summary>
    public IReadOnlyList<LabHost> Nodes => _nodes;

    /// <summary>The client.</summary>
    public LabHost Client { get; }

    /// <summary>Every host: the nodes, then the client.</summary>
    public IReadOnlyList<LabHost> Hosts => [.. _nodes, Client];

    /// <summary>The namespace holding bridge <c>br0</c>.</summary>
    public string BridgeNamespace => $"{Prefix}-br";

    /// <summary>A directory for this lab's files (captures); deleted on dispose.</summary>
    public string WorkDirectory { get; }

    /// <summary>True once disposed.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Creates a lab with <paramref name="nodes"/> nodes and a client, after sweeping stale labs.</summary>
    public static async Task<LabNetwork> CreateAsync(int nodes, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nodes, 80);
        await SweepStaleAsync(ct).ConfigureAwait(false);
        var prefix = ClaimPrefix();
        var lab = new LabNetwork(prefix, nodes);
        InstallExitHook();
        lock (LiveLock)
        {
            Live.Add(lab);
        }

        try
        {
            await lab.BuildAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            await lab.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return lab;
    }

    /// <summary>The host whose eth0 has <paramref name="mac"/> (e.g. the owner of a VIP per a neighbour entry), or null.</summary>
    public LabHost? HostWithMac(PhysicalAddress? mac) => mac is null ? null : Hosts.FirstOrDefault(h => h.Mac.Equals(mac));

    /// <summary>
    /// A crash as a real failure (power loss, kernel panic) looks from outside: <paramref name="node"/>'s eth0 goes
    /// down first, so from that moment it neither answers for its addresses nor sends anything, then every process
    /// started in it (and anything else left in its namespace) is SIGKILLed and its <see cref="UdpEcho"/> responders
    /// and captures stop. Its processes may run on, cut off, for the few milliseconds in between (and may see the
    /// link go down); nothing they do then reaches the wire. <see cref="KillDaemonHostAliveAsync"/> is the other order.
    /// </summary>
    public async Task CrashAsync(LabHost node)
    {
        ArgumentNullException.ThrowIfNull(node);
        CheckOwn(node);
        await node.SetLinkAsync(false).ConfigureAwait(false);
        await KillAllInAsync(node).ConfigureAwait(false);
    }

    /// <summary>
    /// "Daemon killed, host alive": SIGKILLs every process started in <paramref name="node"/> (and anything else left
    /// in its namespace), stops its <see cref="UdpEcho"/> responders and captures, and only then sets its eth0 down.
    /// In between, the node's kernel still answers for the addresses the daemon left bound (ARP, ping) while the
    /// daemon is gone: the failure of a daemon on a live host (OOM kill, a crash bug), a real case of its own, but
    /// not what <see cref="CrashAsync"/> measures.
    /// </summary>
    public async Task KillDaemonHostAliveAsync(LabHost node)
    {
        ArgumentNullException.ThrowIfNull(node);
        CheckOwn(node);
        await KillAllInAsync(node).ConfigureAwait(false);
        await node.SetLinkAsync(false).ConfigureAwait(false);
    }

    /// <summary>Drops every frame between a host of <paramref name="side"/> and a host of <paramref name="other"/>, both ways, at the bridge.</summary>
    public async Task PartitionAsync(IReadOnlyList<LabHost> side, IReadOnlyList<LabHost> other)
    {
        ArgumentNullException.ThrowIfNull(side);
        ArgumentNullException.ThrowIfNull(other);
        if (side.Count == 0 || other.Count == 0)
        {
            return;
        }

        foreach (var h in side.Concat(other))
        {
            CheckOwn(h);
        }

        if (side.Intersect(other).Any())
        {
            throw new ArgumentException("a host cannot be on both sides of a partition");
        }

        static string Set(IEnumerable<LabHost> hosts) => "{ " + string.Join(", ", hosts.Select(h => $"\"{h.BridgePort}\"")) + " }";
        var script = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"add rule bridge vlab forward iifname {Set(side)} oifname {Set(other)} drop\n")
            .Append(CultureInfo.InvariantCulture, $"add rule bridge vlab forward iifname {Set(other)} oifname {Set(side)} drop\n")
            .ToString();
        await NftAsync(script).ConfigureAwait(false);
        Interlocked.Increment(ref _partitions);
    }

    /// <summary>
    /// Drops <paramref name="percent"/> % of the frames entering and, independently, of those leaving the bridge at
    /// <paramref name="host"/>'s port (a round trip through one lossy host survives with (1 − p)²); 0 removes it.
    /// Independent of partitions: <see cref="HealAsync"/> leaves loss in place. (No netem on these kernels: no delay.)
    /// </summary>
    public async Task SetLossAsync(LabHost host, int percent)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentOutOfRangeException.ThrowIfNegative(percent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        CheckOwn(host);
        string script;
        lock (_lock)
        {
            if (percent == 0)
            {
                _loss.Remove(host);
            }
            else
            {
                _loss[host] = percent;
            }

            var text = new StringBuilder("flush chain bridge vlab loss\n");
            foreach (var (h, p) in _loss)
            {
                text.Append(CultureInfo.InvariantCulture, $"add rule bridge vlab loss iifname \"{h.BridgePort}\" numgen random mod 100 < {p} drop\n");
                text.Append(CultureInfo.InvariantCulture, $"add rule bridge vlab loss oifname \"{h.BridgePort}\" numgen random mod 100 < {p} drop\n");
            }

            script = text.ToString();
        }

        await NftAsync(script).ConfigureAwait(false);
    }

    /// <summary>Removes every partition.</summary>
    public async Task HealAsync()
    {
        await NftAsync("flush chain bridge vlab forward\n").ConfigureAwait(false);
        Interlocked.Exchange(ref _partitions, 0);
    }

    /// <summary>Kills every process started in the lab and deletes its namespaces, marker and work directory. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        List<IAsyncDisposable> owned;
        lock (_lock)
        {
            owned = [.. _owned];
        }

        foreach (var item in owned)
        {
            try
            {
                await item.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Best effort; the namespaces go anyway.
            }
        }

        List<LabProcess> processes;
        lock (_lock)
        {
            processes = [.. _processes];
        }

        try
        {
            await Task.WhenAll(processes.Select(p => p.DisposeAsync().AsTask())).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Best effort: the namespace sweep below kills what is left.
        }

        await DeletePrefixAsync(Prefix, CancellationToken.None).ConfigureAwait(false);
        TryDeleteDirectory(WorkDirectory);
        lock (LiveLock)
        {
            Live.Remove(this);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"lab {Prefix} ({_nodes.Count} nodes)";

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(IsDisposed, this);

    internal LabProcess StartProcess(LabHost host, string file, IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? env, LabLauncher launcher = LabLauncher.IpNetnsExec)
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            var process = new LabProcess(host, file, args, env, Forget, launcher);
            _processes.Add(process);
            return process;
        }
    }

    /// <summary>Disposes <paramref name="item"/> (a prober, echo, capture) when the lab is disposed, if it is still alive.</summary>
    internal void Own(IAsyncDisposable item)
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            _owned.Add(item);
        }
    }

    internal void Disown(IAsyncDisposable item)
    {
        lock (_lock)
        {
            _owned.Remove(item);
        }
    }

    private void Forget(LabProcess process)
    {
        lock (_lock)
        {
            _processes.Remove(process);
        }
    }

    private void CheckOwn(LabHost host)
    {
        ThrowIfDisposed();
        if (host.Network != this)
        {
            throw new ArgumentException($"{host} is not part of {this}");
        }
    }

    private async Task KillAllInAsync(LabHost node)
    {
        List<LabProcess> victims;
        List<IAsyncDisposable> owned;
        lock (_lock)
        {
            victims = [.. _processes.Where(p => p.Host == node)];
            owned = [.. _owned.Where(o => o is UdpEcho e && e.Host == node || o is Capture c && c.Host == node)];
        }

        foreach (var item in owned)
        {
            await item.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var p in victims)
        {
            p.Kill(Posix.SigKill);
        }

        await Task.WhenAll(victims.Select(p => p.WaitForExitAsync(TimeSpan.FromSeconds(5)))).ConfigureAwait(false);
        await KillNamespacePidsAsync(node.Namespace).ConfigureAwait(false);
    }

    private Task<CommandResult> NftAsync(string script)
    {
        ThrowIfDisposed();
        return Tool.CheckAsync("ip", ["netns", "exec", BridgeNamespace, "nft", "-f", "-"], script);
    }

    private async Task BuildAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(WorkDirectory);
        var br = BridgeNamespace;
        var hosts = Hosts;
        await Tool.CheckAsync("ip", ["-batch", "-"], string.Concat(hosts.Select(h => h.Namespace).Prepend(br).Select(n => $"netns add {n}\n")), ct).ConfigureAwait(false);
        await Task.WhenAll(hosts
            .Select(h => Sysctl(
                h.Namespace,
                "net.ipv6.conf.all.accept_dad=0",
                "net.ipv6.conf.default.accept_dad=0",
                "net.ipv6.conf.all.dad_transmits=0",
                "net.ipv6.conf.default.dad_transmits=0",
                "net.ipv6.conf.all.router_solicitations=0",
                "net.ipv6.conf.default.router_solicitations=0",
                "net.ipv6.conf.all.accept_ra=0",
                "net.ipv6.conf.default.accept_ra=0",
                "net.ipv6.conf.all.keep_addr_on_down=1",
                "net.ipv6.conf.default.keep_addr_on_down=1"))
            .Append(Sysctl(br, "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"))).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();

        List<string> bridge =
        [
            "link set lo up",
            $"link add {Bridge} type bridge forward_delay 0 stp_state 0 ageing_time 0 mcast_snooping 0",
            $"link set {Bridge} up",
        ];
        foreach (var host in hosts)
        {
            bridge.Add($"link add {host.BridgePort} type veth peer name eth0 netns {host.Namespace}");
            bridge.Add($"link set {host.BridgePort} master {Bridge}");
            bridge.Add($"link set {host.BridgePort} up");
        }

        await IpBatchAsync(br, [.. bridge]).ConfigureAwait(false);
        await NftAsync(
            "table bridge vlab {\n" +
            " chain forward { type filter hook forward priority 0; policy accept; }\n" +
            " chain loss { type filter hook forward priority 1; policy accept; }\n" +
            "}\n").ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        await Task.WhenAll(hosts.Select(ConfigureHostAsync)).ConfigureAwait(false);
    }

    private static async Task ConfigureHostAsync(LabHost host)
    {
        var mac = string.Join(':', host.Mac.GetAddressBytes().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
        await IpBatchAsync(
            host.Namespace,
            "link set lo up",
            $"link set eth0 address {mac}",
            $"addr add {host.IPv4}/24 dev eth0",
            $"addr add {host.IPv6}/64 dev eth0 nodad",
            "link set eth0 up").ConfigureAwait(false);
        var link = await Tool.CheckAsync("ip", ["-n", host.Namespace, "-j", "link", "show", "eth0"]).ConfigureAwait(false);
        using var doc = JsonDocument.Parse(link.StdOut);
        host.InterfaceIndex = doc.RootElement[0].GetProperty("ifindex").GetInt32();
    }

    /// <summary>
    /// Sets net.* sysctls inside <paramref name="ns"/> only: /proc/sys/net is per network namespace, and
    /// <c>ip netns exec</c> runs the writer there. Written with sh, not sysctl(8), so procps is not needed.
    /// </summary>
    private static Task<CommandResult> Sysctl(string ns, params string[] settings)
    {
        var script = new StringBuilder("set -e\n");
        foreach (var setting in settings)
        {
            var (key, value) = (setting[..setting.IndexOf('=', StringComparison.Ordinal)], setting[(setting.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            if (!key.StartsWith("net.", StringComparison.Ordinal))
            {
                throw new ArgumentException($"only namespace-local net.* sysctls: {setting}", nameof(settings));
            }

            script.Append(CultureInfo.InvariantCulture, $"echo {value} > /proc/sys/{key.Replace('.', '/')}\n");
        }

        return Tool.CheckAsync("ip", ["netns", "exec", ns, "sh", "-c", script.ToString()]);
    }

    private static Task<CommandResult> IpBatchAsync(string ns, params string[] commands) =>
        Tool.CheckAsync("ip", ["-n", ns, "-batch", "-"], string.Join('\n', commands) + "\n");

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void InstallExitHook()
    {
        lock (LiveLock)
        {
            if (_exitHookInstalled)
            {
                return;
            }

            _exitHookInstalled = true;
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => DisposeAllNow();

        // SIGTERM/SIGINT end a .NET process without ProcessExit: tear down first, then let the signal do its work.
        foreach (var signal in (PosixSignal[])[PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT])
        {
            SignalRegistrations.Add(PosixSignalRegistration.Create(signal, _ => DisposeAllNow()));
        }
    }

    private static void DisposeAllNow()
    {
        List<LabNetwork> labs;
        lock (LiveLock)
        {
            labs = [.. Live];
        }

        try
        {
            Task.WhenAll(labs.Select(l => l.DisposeAsync().AsTask())).Wait(TimeSpan.FromSeconds(15));
        }
        catch (Exception)
        {
            // Best effort at exit; the next run sweeps the rest.
        }
    }

    private static string ClaimPrefix()
    {
        Directory.CreateDirectory(MarkerDirectory);
        var me = Environment.ProcessId;
        var marker = $"{me.ToString(CultureInfo.InvariantCulture)} {StartTimeOf(me)}\n";
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var prefix = "vl" + RandomNumberGenerator.GetInt32(0x10000).ToString("x4", CultureInfo.InvariantCulture);
            if (NamespacesOf(prefix).Count > 0)
            {
                continue;
            }

            try
            {
                using var stream = new FileStream(MarkerPath(prefix), FileMode.CreateNew, FileAccess.Write);
                stream.Write(Encoding.ASCII.GetBytes(marker));
                return prefix;
            }
            catch (IOException) when (File.Exists(MarkerPath(prefix)))
            {
                // Taken by another run: try another prefix.
            }
        }

        throw new InvalidOperationException("no free lab prefix after 50 attempts");
    }
}
