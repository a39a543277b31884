using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Text.Json;

namespace Vipd.Lab;

/// <summary>A node or the client of a <see cref="LabNetwork"/>: one network namespace with <c>lo</c> and <c>eth0</c> on the lab bridge.</summary>
public sealed class LabHost
{
    private readonly LabNetwork _network;

    internal LabHost(LabNetwork network, string name, string ns, string port, PhysicalAddress mac, IPAddress ipv4, IPAddress ipv6)
    {
        _network = network;
        Name = name;
        Namespace = ns;
        BridgePort = port;
        Mac = mac;
        IPv4 = ipv4;
        IPv6 = ipv6;
    }

    /// <summary>"n1".."nN" or "client".</summary>
    public string Name { get; }

    /// <summary>The network namespace (<c>/run/netns/NAME</c>).</summary>
    public string Namespace { get; }

    /// <summary>The interface on the lab bridge, always "eth0".</summary>
    public string Interface { get; } = "eth0";

    /// <summary>The ifindex of <see cref="Interface"/> inside <see cref="Namespace"/>.</summary>
    public int InterfaceIndex { get; internal set; }

    /// <summary>The MAC address of <see cref="Interface"/> (fixed: 02:1a:b0:00:00:NN for node N, 02:1a:b0:00:01:00 for the client).</summary>
    public PhysicalAddress Mac { get; }

    /// <summary>The IPv4 address (/24).</summary>
    public IPAddress IPv4 { get; }

    /// <summary>The IPv6 address (/64, nodad).</summary>
    public IPAddress IPv6 { get; }

    /// <summary>The name of this host's veth peer on the bridge (inside the bridge namespace).</summary>
    public string BridgePort { get; }

    /// <summary>The lab this host belongs to.</summary>
    public LabNetwork Network => _network;

    /// <summary>Runs <c>ip netns exec NS file args</c> to completion (20 s at most) and returns its output. Does not throw on a non-zero exit.</summary>
    public Task<CommandResult> ExecAsync(string file, params string[] args) => ExecAsync(file, args, null, CancellationToken.None);

    /// <summary>Runs <c>ip netns exec NS file args</c> to completion within <paramref name="timeout"/> (default 20 s).</summary>
    public Task<CommandResult> ExecAsync(string file, IReadOnlyList<string> args, TimeSpan? timeout, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        ArgumentNullException.ThrowIfNull(args);
        _network.ThrowIfDisposed();
        return Tool.RunAsync("ip", ["netns", "exec", Namespace, file, .. args], null, timeout, ct);
    }

    /// <summary>Starts <paramref name="file"/> in the background inside the namespace; output captured; killed at the latest when the lab is disposed.</summary>
    public LabProcess Start(string file, IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? env = null) =>
        Start(file, args, env, LabLauncher.IpNetnsExec);

    /// <summary>
    /// Starts <paramref name="file"/> in the background inside the namespace through <paramref name="launcher"/>;
    /// output captured; killed at the latest when the lab is disposed.
    /// </summary>
    public LabProcess Start(string file, IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? env, LabLauncher launcher)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        ArgumentNullException.ThrowIfNull(args);
        return _network.StartProcess(this, file, args, env, launcher);
    }

    /// <summary>Runs <paramref name="file"/> to completion inside the namespace through <paramref name="launcher"/> (20 s at most unless <paramref name="timeout"/>).</summary>
    public Task<CommandResult> ExecAsync(LabLauncher launcher, string file, IReadOnlyList<string> args, TimeSpan? timeout, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        ArgumentNullException.ThrowIfNull(args);
        _network.ThrowIfDisposed();
        var launch = LauncherArguments(launcher);
        return Tool.RunAsync(launch[0], [.. launch.Skip(1), file, .. args], null, timeout, ct);
    }

    /// <summary>The command line that runs a program in this host's namespace, up to the program (<see cref="LabLauncher"/>).</summary>
    internal string[] LauncherArguments(LabLauncher launcher) => launcher switch
    {
        LabLauncher.Nsenter => ["nsenter", $"--net=/run/netns/{Namespace}", "--"],
        _ => ["ip", "netns", "exec", Namespace],
    };

    /// <summary>Runs <paramref name="func"/> on a thread inside the namespace (<see cref="NetNs.Run{T}(string, Func{T})"/>); sockets it creates stay in the namespace.</summary>
    public T Run<T>(Func<T> func) => NetNs.Run(Namespace, func);

    /// <summary>Runs <paramref name="action"/> on a thread inside the namespace.</summary>
    public void Run(Action action) => NetNs.Run(Namespace, action);

    /// <summary>The IPv4 and IPv6 neighbour entries of <c>eth0</c> (<c>ip -j neigh show dev eth0</c>).</summary>
    public async Task<IReadOnlyList<NeighborEntry>> NeighborsAsync(CancellationToken ct = default)
    {
        var result = await IpAsync(ct, "-j", "neigh", "show", "dev", Interface).ConfigureAwait(false);
        return NeighborEntry.ParseIpJson(result.StdOut);
    }

    /// <summary>The neighbour entry for <paramref name="address"/>, or null when there is none.</summary>
    public async Task<NeighborEntry?> NeighborAsync(IPAddress address, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        var all = await NeighborsAsync(ct).ConfigureAwait(false);
        return all.FirstOrDefault(n => n.Address.Equals(address));
    }

    /// <summary>
    /// Polls the neighbour entry for <paramref name="address"/> (every 10 ms) until <paramref name="condition"/> holds
    /// and returns it; throws <see cref="TimeoutException"/> with the last entry seen after <paramref name="timeout"/>.
    /// </summary>
    public async Task<NeighborEntry?> WaitForNeighborAsync(IPAddress address, Func<NeighborEntry?, bool> condition, TimeSpan timeout, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            var entry = await NeighborAsync(address, ct).ConfigureAwait(false);
            if (condition(entry))
            {
                return entry;
            }

            if (Environment.TickCount64 >= deadline)
            {
                throw new TimeoutException($"{Name}: neighbour {address} did not reach the expected state within {timeout}; last: {entry?.ToString() ?? "none"}");
            }

            await Task.Delay(10, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Removes every IPv4 and IPv6 neighbour entry of <c>eth0</c> (permanent ones excepted).</summary>
    public async Task FlushNeighborsAsync()
    {
        await IpAsync(CancellationToken.None, "-4", "neigh", "flush", "dev", Interface).ConfigureAwait(false);
        await IpAsync(CancellationToken.None, "-6", "neigh", "flush", "dev", Interface).ConfigureAwait(false);
    }

    /// <summary>Sets <c>eth0</c> up or down (IPv6 addresses survive: keep_addr_on_down is set in the lab namespaces).</summary>
    public Task SetLinkAsync(bool up) => IpAsync(CancellationToken.None, "link", "set", Interface, up ? "up" : "down");

    /// <summary>Adds an address to <c>eth0</c> (IPv6 with nodad), e.g. a VIP for a test that plays the daemon. Prefix 24 or 64 by default.</summary>
    public Task AddAddressAsync(IPAddress address, int? prefixLength = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        var v6 = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        var cidr = $"{address}/{(prefixLength ?? (v6 ? 64 : 24)).ToString(CultureInfo.InvariantCulture)}";
        return v6
            ? IpAsync(CancellationToken.None, "-6", "addr", "add", cidr, "dev", Interface, "nodad")
            : IpAsync(CancellationToken.None, "addr", "add", cidr, "dev", Interface);
    }

    /// <summary>Removes an address from <c>eth0</c>.</summary>
    public Task RemoveAddressAsync(IPAddress address, int? prefixLength = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        var v6 = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        var cidr = $"{address}/{(prefixLength ?? (v6 ? 64 : 24)).ToString(CultureInfo.InvariantCulture)}";
        return IpAsync(CancellationToken.None, "addr", "del", cidr, "dev", Interface);
    }

    /// <summary>
    /// Adds an on-link route (<c>ip route add NETWORK/PREFIX dev eth0</c>): this host then resolves any address of that
    /// network by ARP/NDP on the lab segment, e.g. the client reaching VIPs outside 192.0.2.0/24.
    /// </summary>
    public Task AddOnLinkRouteAsync(IPAddress network, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(network);
        var cidr = $"{network}/{prefixLength.ToString(CultureInfo.InvariantCulture)}";
        return IpAsync(CancellationToken.None, "route", "add", cidr, "dev", Interface);
    }

    /// <summary>The addresses currently on <c>eth0</c> (<c>ip -j addr show dev eth0</c>).</summary>
    public async Task<IReadOnlyList<IPAddress>> AddressesAsync(CancellationToken ct = default)
    {
        var result = await IpAsync(ct, "-j", "addr", "show", "dev", Interface).ConfigureAwait(false);
        using var doc = JsonDocument.Parse(result.StdOut);
        var list = new List<IPAddress>();
        foreach (var link in doc.RootElement.EnumerateArray())
        {
            if (link.TryGetProperty("addr_info", out var infos))
            {
                foreach (var info in infos.EnumerateArray())
                {
                    if (info.TryGetProperty("local", out var local) && IPAddress.TryParse(local.GetString(), out var ip))
                    {
                        list.Add(ip);
                    }
                }
            }
        }

        return list;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Namespace}, {IPv4}, {IPv6})";

    internal async Task<CommandResult> IpAsync(CancellationToken ct, params string[] args)
    {
        _network.ThrowIfDisposed();
        return await Tool.CheckAsync("ip", ["-n", Namespace, .. args], null, ct).ConfigureAwait(false);
    }
}
