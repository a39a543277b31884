using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Vipd.Lab.Keepalived;

/// <summary>
/// keepalived from Debian's package (<c>/usr/sbin/keepalived</c>, installed by tests/install-deps with service starts
/// forbidden), one process tree per lab node, as the reference vipd is measured against: the same lab, the same VIP
/// (<see cref="LabNetwork.Vip4"/>), the same crash. Each node gets one <c>vrrp_instance</c> on its eth0 (VRRP
/// multicast on the lab bridge, which floods it), every node <c>state BACKUP</c> with a distinct priority (n1 highest,
/// 100 for the last), so exactly one master is elected and the order of succession is known. Every file of a run
/// (configs; the pid files of the parent, VRRP, checker and BFD processes) lives in a per-run folder under /tmp that
/// <see cref="DisposeAsync"/> removes; keepalived runs in the foreground (<c>-n -l -D -G</c>: no fork, log to the
/// console only) through <c>ip netns exec</c>, is ended by PID, and never runs in the root namespace.
/// </summary>
public sealed class LabKeepalived : IAsyncDisposable
{
    /// <summary>Where Debian's package puts the daemon.</summary>
    public const string Binary = "/usr/sbin/keepalived";

    /// <summary>The VRRP router ID of the lab's instance.</summary>
    public const int VirtualRouterId = 51;

    private readonly LabNetwork _lab;
    private readonly Dictionary<string, LabProcess> _processes = [];
    private int _disposed;

    private LabKeepalived(LabNetwork lab, KeepalivedProfile profile, string directory)
    {
        _lab = lab;
        Profile = profile;
        Directory = directory;
    }

    /// <summary>True when Debian's keepalived is installed.</summary>
    public static bool IsInstalled => File.Exists(Binary);

    /// <summary>The settings every node runs with.</summary>
    public KeepalivedProfile Profile { get; }

    /// <summary>The per-run folder holding the configs and pid files.</summary>
    public string Directory { get; }

    /// <summary>The VIP: <see cref="LabNetwork.Vip4"/>.</summary>
    public static IPAddress Vip => LabNetwork.Vip4;

    /// <summary>Writes a config per node and starts keepalived on every node of <paramref name="lab"/> (it does not wait for a master).</summary>
    public static async Task<LabKeepalived> StartAsync(LabNetwork lab, KeepalivedProfile profile, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(profile);
        if (!IsInstalled)
        {
            throw new InvalidOperationException($"keepalived is not installed ({Binary}): run tests/install-deps (apt-get install keepalived, service starts forbidden)");
        }

        var directory = Path.Combine(Path.GetTempPath(), $"{lab.Prefix}-keepalived");
        System.IO.Directory.CreateDirectory(directory);
        var keepalived = new LabKeepalived(lab, profile, directory);
        foreach (var node in lab.Nodes)
        {
            await File.WriteAllTextAsync(keepalived.ConfigPath(node), keepalived.ConfigFor(node), cancellationToken).ConfigureAwait(false);
        }

        foreach (var node in lab.Nodes)
        {
            keepalived.Start(node);
        }

        return keepalived;
    }

    /// <summary>The VRRP priority of <paramref name="node"/>: 100 for the last node, one more for each node before it (n1 of 3: 102).</summary>
    public int Priority(LabHost node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var index = IndexOf(node);
        return 100 + (_lab.Nodes.Count - 1 - index);
    }

    /// <summary>The config file of <paramref name="node"/>.</summary>
    public string ConfigPath(LabHost node) => Path.Combine(Directory, $"{node.Name}.conf");

    /// <summary>The pid file of <paramref name="node"/>'s <paramref name="process"/> ("keepalived", "vrrp", "checkers" or "bfd").</summary>
    public string PidFile(LabHost node, string process) => Path.Combine(Directory, $"{node.Name}.{process}.pid");

    /// <summary>The rendered keepalived.conf of <paramref name="node"/>.</summary>
    public string ConfigFor(LabHost node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"# keepalived for lab {_lab.Prefix}, node {node.Name}, profile {Profile.Name} (rendered by Vipd.Lab)\n")
            .Append("global_defs {\n")
            .Append(CultureInfo.InvariantCulture, $"    router_id {_lab.Prefix}-{node.Name}\n")
            .Append(CultureInfo.InvariantCulture, $"    vrrp_version {Profile.VrrpVersion}\n")
            .Append("}\n")
            .Append("vrrp_instance LAB {\n")
            .Append("    state BACKUP\n")
            .Append(CultureInfo.InvariantCulture, $"    interface {node.Interface}\n")
            .Append(CultureInfo.InvariantCulture, $"    virtual_router_id {VirtualRouterId}\n")
            .Append(CultureInfo.InvariantCulture, $"    priority {Priority(node)}\n")
            .Append(CultureInfo.InvariantCulture, $"    advert_int {Profile.AdvertIntText}\n")
            .Append("    virtual_ipaddress {\n")
            .Append(CultureInfo.InvariantCulture, $"        {Vip}/24 dev {node.Interface}\n")
            .Append("    }\n")
            .Append("}\n")
            .ToString();
    }

    /// <summary>The keepalived process started on <paramref name="node"/> (the lab's launcher; <see cref="ProcessIds"/> has the real PIDs).</summary>
    public LabProcess Process(LabHost node) => _processes[node.Name];

    /// <summary>Starts keepalived on <paramref name="node"/> (again), in the foreground under the lab's launcher.</summary>
    public LabProcess Start(LabHost node)
    {
        ArgumentNullException.ThrowIfNull(node);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        foreach (var process in (string[])["keepalived", "vrrp", "checkers", "bfd"])
        {
            File.Delete(PidFile(node, process));
        }

        var started = node.Start(Binary,
        [
            "--dont-fork", "--log-console", "--log-detail", "--no-syslog",
            "--use-file", ConfigPath(node),
            "--pid", PidFile(node, "keepalived"),
            "--vrrp_pid", PidFile(node, "vrrp"),
            "--checkers_pid", PidFile(node, "checkers"),
            "--bfd_pid", PidFile(node, "bfd"),
        ]);
        _processes[node.Name] = started;
        return started;
    }

    /// <summary>
    /// Brings a crashed <paramref name="node"/> back as a rebooted host comes back: the VIP its killed keepalived left
    /// on eth0 is removed (a rebooted host has none), the link goes up, keepalived starts. With preemption on (the
    /// default), a higher-priority node then takes the VIP back after its Master_Down_Interval.
    /// </summary>
    public async Task ReviveAsync(LabHost node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if ((await node.AddressesAsync().ConfigureAwait(false)).Contains(Vip))
        {
            await node.RemoveAddressAsync(Vip, 24).ConfigureAwait(false);
        }

        await node.SetLinkAsync(true).ConfigureAwait(false);
        Start(node);
    }

    /// <summary>The PIDs of <paramref name="node"/>'s running keepalived processes (parent and children), from their pid files.</summary>
    public IReadOnlyList<int> ProcessIds(LabHost node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var pids = new List<int>();
        foreach (var process in (string[])["keepalived", "vrrp", "checkers", "bfd"])
        {
            try
            {
                if (int.TryParse(File.ReadAllText(PidFile(node, process)).Trim(), CultureInfo.InvariantCulture, out var pid) && Posix.Exists(pid))
                {
                    pids.Add(pid);
                }
            }
            catch (IOException)
            {
            }
        }

        return pids;
    }

    /// <summary>Waits until <paramref name="node"/>'s parent and VRRP child have written their pid files.</summary>
    public async Task WaitForProcessesAsync(LabHost node, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(node);
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (!File.Exists(PidFile(node, "keepalived")) || !File.Exists(PidFile(node, "vrrp")))
        {
            if (Environment.TickCount64 >= deadline)
            {
                throw new TimeoutException($"keepalived on {node.Name} wrote no pid files within {timeout}{Environment.NewLine}{Logs()}");
            }

            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    /// <summary>The nodes whose eth0 is up and holds the VIP right now (several while a takeover is under way).</summary>
    public async Task<IReadOnlyList<LabHost>> HoldersAsync(CancellationToken cancellationToken = default)
    {
        var holders = new List<LabHost>();
        foreach (var node in _lab.Nodes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = await node.ExecAsync("ip", "-j", "-4", "addr", "show", "dev", node.Interface).ConfigureAwait(false);
            if (result.ExitCode == 0 && HoldsOnLiveLink(result.StdOut, Vip))
            {
                holders.Add(node);
            }
        }

        return holders;
    }

    /// <summary>Waits (polling every 20 ms) until exactly one node holds the VIP and it satisfies <paramref name="accept"/>.</summary>
    public async Task<LabHost> WaitForSingleHolderAsync(TimeSpan timeout, Func<LabHost, bool>? accept = null, CancellationToken cancellationToken = default)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        IReadOnlyList<LabHost> last = [];
        for (var attempt = 0; attempt < 10_000; attempt++)
        {
            last = await HoldersAsync(cancellationToken).ConfigureAwait(false);
            if (last.Count == 1 && (accept is null || accept(last[0])))
            {
                return last[0];
            }

            if (Environment.TickCount64 >= deadline)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken).ConfigureAwait(false);
        }

        var holders = last.Count == 0 ? "nobody" : string.Join(", ", last.Select(h => h.Name));
        throw new TimeoutException($"no single accepted keepalived master of {Vip} within {timeout.TotalSeconds:0.#} s (holders: {holders}){Environment.NewLine}{Logs()}");
    }

    /// <summary>The node that should be master when <paramref name="alive"/> run: the highest priority among them.</summary>
    public LabHost ExpectedMaster(IEnumerable<LabHost> alive) => alive.MaxBy(Priority) ?? throw new ArgumentException("no node alive", nameof(alive));

    /// <summary>Sends SIGTERM to <paramref name="node"/>'s keepalived parent (a planned stop: it sends a priority-0 advert and removes the VIP) and waits for it to end.</summary>
    public async Task StopAsync(LabHost node, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(node);
        var process = Process(node);
        process.Kill(Posix.SigTerm);
        await process.WaitForExitAsync(timeout).ConfigureAwait(false);
    }

    /// <summary>Every node's captured output (last 60 lines each), for failure messages.</summary>
    public string Logs()
    {
        var text = new StringBuilder();
        foreach (var (name, process) in _processes)
        {
            text.Append(CultureInfo.InvariantCulture, $"--- keepalived {name} (pid {process.Pid})").AppendLine();
            foreach (var line in process.Output.TakeLast(60))
            {
                text.AppendLine(line);
            }
        }

        return text.ToString();
    }

    /// <summary>SIGKILLs every keepalived this instance started (by process group) and removes the run's folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var process in _processes.Values)
        {
            await process.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private int IndexOf(LabHost node)
    {
        for (var i = 0; i < _lab.Nodes.Count; i++)
        {
            if (_lab.Nodes[i] == node)
            {
                return i;
            }
        }

        throw new ArgumentException($"{node} is not a node of {_lab}", nameof(node));
    }

    /// <summary>True when the link in <c>ip -j addr</c> output is not down and carries <paramref name="address"/>.</summary>
    private static bool HoldsOnLiveLink(string ipJson, IPAddress address)
    {
        using var document = JsonDocument.Parse(ipJson);
        foreach (var link in document.RootElement.EnumerateArray())
        {
            if (link.TryGetProperty("operstate", out var state) && state.GetString() is "DOWN" or "LOWERLAYERDOWN")
            {
                continue;
            }

            if (link.TryGetProperty("addr_info", out var addresses)
                && addresses.EnumerateArray().Any(a => a.TryGetProperty("local", out var local) && IPAddress.TryParse(local.GetString(), out var parsed) && parsed.Equals(address)))
            {
                return true;
            }
        }

        return false;
    }
}
