using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Vipd.Lab.Daemon;

/// <summary>
/// The BGP lab, shared by the lab tests, the benchmark and the demo: the lab's router namespace runs FRR (AS 64512,
/// ECMP over up to 8 paths, BFD to every node), every node runs its own FRR (AS 64513, configured by vipd through
/// vtysh) and vipd with one <c>mode = "bgp"</c> VIP on <c>lo</c>, and the remote client behind the router reaches the
/// VIP through the router's BGP routes.
/// </summary>
public sealed class BgpLab : IAsyncDisposable
{
    /// <summary>The router's AS.</summary>
    public const long RouterAsn = 64512;

    /// <summary>The nodes' AS (one AS: the router's multipath needs no as-path relax).</summary>
    public const long NodeAsn = 64513;

    /// <summary>The BGP VIP: 198.51.100.7/32, off every lab subnet, reached only through BGP routes.</summary>
    public static IPAddress Vip { get; } = IPAddress.Parse("198.51.100.7");

    /// <summary>The IPv6 VIP of a dual-stack lab (<c>dualStack</c>): advertised over the IPv6 sessions only.</summary>
    public static IPAddress Vip6 { get; } = IPAddress.Parse("2001:db8:ffff::7");

    private BgpLab(LabNetwork lab, LabFrr router, IReadOnlyDictionary<string, LabFrr> nodes, VipdCluster cluster)
    {
        Lab = lab;
        Router = router;
        NodeFrr = nodes;
        Cluster = cluster;
    }

    public LabNetwork Lab { get; }

    /// <summary>The router's FRR.</summary>
    public LabFrr Router { get; }

    /// <summary>Each node's FRR by node name.</summary>
    public IReadOnlyDictionary<string, LabFrr> NodeFrr { get; }

    public VipdCluster Cluster { get; }

    /// <summary>
    /// Builds the lab of <paramref name="nodes"/> nodes with a router and a remote client, starts every FRR and vipd.
    /// <paramref name="policy"/> is the VIP's policy; <paramref name="vipExtra"/> and <paramref name="nodeExtra"/> add
    /// TOML to the VIP table and to each node's file (checks); <paramref name="profile"/> is the membership profile.
    /// <paramref name="dualStack"/> adds an IPv6 session to every node (the router's and the node's IPv6 addresses) and
    /// the IPv6 VIP <see cref="Vip6"/>; <paramref name="password"/> sets a TCP MD5 password on every session, on the
    /// router and on the nodes, where <paramref name="nodePassword"/> may give a node another one.
    /// </summary>
    public static async Task<BgpLab> StartAsync(string vipdPath, int nodes = 3, string policy = "active-active", TimeSpan? bfdInterval = null, int bfdMultiplier = 3, string vipExtra = "", Func<LabHost, string>? nodeExtra = null, string logLevel = "information", string profile = "default", bool dualStack = false, string? password = null, Func<LabHost, string?>? nodePassword = null)
    {
        var interval = bfdInterval ?? TimeSpan.FromMilliseconds(50);
        var lab = await LabNetwork.CreateAsync(nodes).ConfigureAwait(false);
        try
        {
            var (router, _) = await lab.AddRouterAsync().ConfigureAwait(false);
            var routerFrr = await LabFrr.StartAsync(router, LabFrr.RouterConfig(RouterAsn, router.IPv4, lab.Nodes.Select(n => n.IPv4), NodeAsn, interval, bfdMultiplier, dualStack ? lab.Nodes.Select(n => n.IPv6) : null, password)).ConfigureAwait(false);
            var nodeFrr = new Dictionary<string, LabFrr>(StringComparer.Ordinal);
            foreach (var node in lab.Nodes)
            {
                nodeFrr[node.Name] = await LabFrr.StartAsync(node, LabFrr.NodeConfig()).ConfigureAwait(false);
            }

            var ms = ((long)interval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
            string Peer(IPAddress address, string? secret) => $"""

                [[bgp.peer]]
                address = "{address}"
                asn = {RouterAsn}
                bfd_interval = "{ms}ms"
                bfd_multiplier = {bfdMultiplier}
                keepalive = "1s"
                hold = "3s"
                {PasswordLine(secret)}
                """;
            var options = new VipdClusterOptions
            {
                Vips = dualStack ? [("anycast", Vip, 32), ("anycast6", Vip6, 128)] : [("anycast", Vip, 32)],
                VipInterface = "lo",
                VipExtra = $"mode = \"bgp\"\npolicy = \"{policy}\"\n{vipExtra}",
                LogLevel = logLevel,
                Profile = profile,
                NodeExtra = node => $"""
                    [bgp]
                    asn = {NodeAsn}
                    router_id = "{node.IPv4}"
                    pathspace = "{node.Namespace}"
                    sync_interval = "1s"

                    {Peer(router.IPv4, nodePassword?.Invoke(node) ?? password)}
                    {(dualStack ? Peer(router.IPv6, nodePassword?.Invoke(node) ?? password) : string.Empty)}

                    {nodeExtra?.Invoke(node)}
                    """,
            };
            var cluster = await VipdCluster.StartAsync(lab, vipdPath, options).ConfigureAwait(false);
            return new BgpLab(lab, routerFrr, nodeFrr, cluster);
        }
        catch
        {
            await lab.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static string PasswordLine(string? password) => password is null ? string.Empty : $"password = \"{password}\"";

    /// <summary>
    /// Makes the router hash multipath routes on L4 (<c>net.ipv4.fib_multipath_hash_policy=1</c>, in the router's
    /// namespace only): flows that differ only in their source port then spread over the VIP's next hops, as on a
    /// data-centre router. The kernel default (0) hashes on addresses alone, so one client's flows all take one path.
    /// </summary>
    public async Task UseL4MultipathHashAsync()
    {
        var result = await Lab.Router!.ExecAsync("sysctl", "-w", "net.ipv4.fib_multipath_hash_policy=1").ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"sysctl in {Lab.Router.Namespace}: {result.StdOut}{result.StdErr}");
        }
    }

    /// <summary>The router's next hops for the VIP now.</summary>
    public Task<IReadOnlyList<IPAddress>> NextHopsAsync() => Router.NextHopsAsync(Vip);

    /// <summary>Waits until the router's next hops for the VIP are exactly <paramref name="expected"/> (any order).</summary>
    public Task<(IReadOnlyList<IPAddress> Hops, TimeSpan After)> WaitForNextHopsAsync(IEnumerable<LabHost> expected, TimeSpan timeout)
    {
        var want = expected.Select(n => n.IPv4).ToHashSet();
        return Router.WaitForNextHopsAsync(Vip, hops => hops.Count == want.Count && hops.All(want.Contains), timeout);
    }

    /// <summary>The nodes whose <c>lo</c> holds the VIP now and whose eth0 is up (a crashed node's address stays behind, unreachable).</summary>
    public async Task<IReadOnlyList<LabHost>> AdvertisersAsync()
    {
        var result = new List<LabHost>();
        foreach (var node in Lab.Nodes)
        {
            var addresses = await node.ExecAsync("ip", "-o", "addr", "show", "dev", "lo").ConfigureAwait(false);
            var link = await node.ExecAsync("ip", "-o", "link", "show", "dev", node.Interface).ConfigureAwait(false);
            if (addresses.StdOut.Contains($" {Vip}/32 ", StringComparison.Ordinal) && !link.StdOut.Contains("state DOWN", StringComparison.Ordinal))
            {
                result.Add(node);
            }
        }

        return result;
    }

    /// <summary>The crash: <paramref name="node"/>'s cable first, then SIGKILL of vipd and of its FRR.</summary>
    public async Task CrashAsync(LabHost node)
    {
        ArgumentNullException.ThrowIfNull(node);
        await Lab.CrashAsync(node).ConfigureAwait(false);
        await NodeFrr[node.Name].KillAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Waits until the router's BGP session and BFD session with every node of <paramref name="nodes"/> (default: all)
    /// are up: a node that takes a VIP over before its session is up cannot advertise it.
    /// </summary>
    public async Task WaitForSessionsAsync(TimeSpan timeout, IEnumerable<LabHost>? nodes = null)
    {
        var want = (nodes ?? Lab.Nodes).Select(n => n.IPv4.ToString()).ToList();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var last = string.Empty;
        for (var i = 0; i < 10_000 && System.Diagnostics.Stopwatch.GetElapsedTime(started) < timeout; i++)
        {
            var bgp = await Router.VtyshAsync("show bgp ipv4 unicast summary json").ConfigureAwait(false);
            var bfd = await Router.VtyshAsync("show bfd peers json").ConfigureAwait(false);
            last = bgp.StdOut + bfd.StdOut;
            if (bgp.ExitCode == 0 && bfd.ExitCode == 0 && SessionsUp(bgp.StdOut, bfd.StdOut, want))
            {
                return;
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        throw new TimeoutException($"the router's BGP/BFD sessions with {string.Join(", ", want)} were not all up within {timeout.TotalSeconds:0.#} s: {last}");
    }

    private static bool SessionsUp(string bgpJson, string bfdJson, List<string> want)
    {
        using var bgp = JsonDocument.Parse(bgpJson);
        using var bfd = JsonDocument.Parse(bfdJson);
        if (!bgp.RootElement.TryGetProperty("peers", out var peers))
        {
            return false;
        }

        var established = want.All(a => peers.TryGetProperty(a, out var p) && p.TryGetProperty("state", out var s) && s.GetString() == "Established");
        var bfdUp = want.All(a => bfd.RootElement.EnumerateArray().Any(p => p.TryGetProperty("peer", out var peer) && peer.GetString() == a && p.TryGetProperty("status", out var st) && st.GetString() == "up"));
        return established && bfdUp;
    }

    /// <summary>Brings a crashed node back: link up, its routes to the remote subnet, its FRR (empty: vipd configures it), vipd.</summary>
    public async Task ReviveAsync(LabHost node)
    {
        ArgumentNullException.ThrowIfNull(node);
        await node.SetLinkAsync(true).ConfigureAwait(false);
        await Lab.AddRemoteRoutesAsync(node).ConfigureAwait(false);
        await NodeFrr[node.Name].StartDaemonsAsync().ConfigureAwait(false);
        Cluster.Start(node);
    }

    /// <summary>Waits until exactly one node advertises the VIP (has it on lo) and the router's only next hop is that node.</summary>
    public async Task<LabHost> WaitForSingleAdvertiserAsync(TimeSpan timeout, Func<LabHost, bool>? accept = null)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        IReadOnlyList<LabHost> advertisers = [];
        IReadOnlyList<IPAddress> hops = [];
        for (var i = 0; i < 10_000 && System.Diagnostics.Stopwatch.GetElapsedTime(started) < timeout; i++)
        {
            advertisers = await AdvertisersAsync().ConfigureAwait(false);
            hops = await NextHopsAsync().ConfigureAwait(false);
            if (advertisers.Count == 1 && (accept is null || accept(advertisers[0])) && hops.Count == 1 && hops[0].Equals(advertisers[0].IPv4))
            {
                return advertisers[0];
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        throw new TimeoutException($"no single advertiser of {Vip} within {timeout.TotalSeconds:0.#} s: on lo of [{string.Join(", ", advertisers.Select(a => a.Name))}], router next hops [{string.Join(", ", hops)}]{Environment.NewLine}{Cluster.Logs()}");
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync().ConfigureAwait(false);
        await Lab.DisposeAsync().ConfigureAwait(false);
    }
}
