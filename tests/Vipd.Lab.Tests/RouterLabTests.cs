using System.Diagnostics;
using System.Globalization;
using Vipd.Lab.Daemon;
using Xunit.Abstractions;

namespace Vipd.Lab.Tests;

/// <summary>
/// A client on another subnet reaches the VIP through a plain Linux router (kernel defaults: <c>arp_accept</c> 0,
/// <c>locktime</c> 1 s). The router's neighbour entry for the VIP must follow a move as fast as a directly attached
/// client's does, after a crash and after a planned stop, and the remote client's probes must resume.
/// </summary>
public sealed class RouterLabTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ProbePeriod = TimeSpan.FromMilliseconds(5);

    /// <summary>How much later than the directly attached client the router may follow (two polling loops on a shared 2-core machine).</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task Move_CrashAndPlannedStop_RouterEntryFollowsLikeDirectClientAndRemoteProbesResume()
    {
        await using var lab = await LabNetwork.CreateAsync(3);
        var (router, remote) = await lab.AddRouterAsync();
        var arpAccept = (await router.ExecAsync("cat", "/proc/sys/net/ipv4/conf/eth0/arp_accept")).StdOut.Trim();
        Assert.Equal("0", arpAccept);
        await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find(), new VipdClusterOptions { LogLevel = "warning" });
        var vip = LabNetwork.Vip4;

        // Unplanned: the owner's cable, then its process.
        var owner = await cluster.WaitForSingleHolderAsync(vip, Settle);
        var crash = await MoveAsync(lab, cluster, router, remote, owner, "crash", () => lab.CrashAsync(owner));
        await owner.SetLinkAsync(true);
        await lab.AddRemoteRoutesAsync(owner);
        cluster.Start(owner);
        await Task.Delay(TimeSpan.FromSeconds(2));

        // Planned: SIGTERM, vipd hands over before it lets go. The revived node may still take the VIP back
        // (preemption): wait until one holder has kept it, and the client and router point at it, for a second.
        owner = await StableOwnerAsync(lab, cluster, router);
        var planned = await MoveAsync(lab, cluster, router, remote, owner, "planned stop", () => cluster.StopAsync(owner, TimeSpan.FromSeconds(10)));

        foreach (var (name, m) in new[] { ("crash", crash), ("planned stop", planned) })
        {
            Assert.True(m.Router <= m.Client + Slack, $"{name}: the router followed after {m.Router.TotalMilliseconds:0} ms, the client after {m.Client.TotalMilliseconds:0} ms{Environment.NewLine}{cluster.Logs()}");
            Assert.True(m.RemoteReceived > 0 && m.RemoteAnsweredAfter, $"{name}: the remote client's probes did not resume");
            Assert.True(m.RemoteGap <= m.DirectGap + Slack, $"{name}: after the move, remote gap {m.RemoteGap.TotalMilliseconds:0} ms, direct {m.DirectGap.TotalMilliseconds:0} ms");
        }
    }

    private async Task<Measured> MoveAsync(LabNetwork lab, VipdCluster cluster, LabHost router, LabHost remote, LabHost owner, string name, Func<Task> move)
    {
        var vip = LabNetwork.Vip4;
        await using var direct = Prober.Start(lab.Client, vip, ProbePeriod, ProbeKind.Icmp);
        await using var routed = Prober.Start(remote, vip, ProbePeriod, ProbeKind.Icmp);
        // Warm up until both are answered (a node back from a crash resolves its own neighbours first); only gaps that
        // end after the move count.
        for (var i = 0; i < 50 && (direct.ReceivedSoFar < 50 || routed.ReceivedSoFar < 50); i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        Assert.True(routed.ReceivedSoFar >= 50, $"{name}: the remote client cannot reach the VIP on {owner.Name} before the move");

        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.Equal(owner.Mac, (await router.NeighborAsync(vip))?.Mac);
        Assert.Equal(owner.Mac, (await lab.Client.NeighborAsync(vip))?.Mac);

        var (directAt, routedAt) = (direct.Elapsed, routed.Elapsed);
        var start = Stopwatch.GetTimestamp();
        var moving = move();
        TimeSpan? client = null, viaRouter = null;
        for (var i = 0; i < 1000 && (client is null || viaRouter is null) && Stopwatch.GetElapsedTime(start) < Settle; i++)
        {
            var (c, r) = (lab.Client.NeighborAsync(vip), router.NeighborAsync(vip));
            var (ce, re) = (await c, await r);
            var now = Stopwatch.GetElapsedTime(start);
            if (client is null && ce?.Mac is { } cm && !cm.Equals(owner.Mac))
            {
                client = now;
            }

            if (viaRouter is null && re?.Mac is { } rm && !rm.Equals(owner.Mac))
            {
                viaRouter = now;
            }

            await Task.Delay(10);
        }

        await moving;
        var holder = await cluster.WaitForSingleHolderAsync(vip, Settle, n => n != owner);
        var beforeEnd = routed.ReceivedSoFar;
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        var remoteAnsweredAfter = routed.ReceivedSoFar > beforeEnd;
        var directReport = await direct.StopAsync();
        var remoteReport = await routed.StopAsync();
        var routerEntry = await router.NeighborAsync(vip);
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{name}: {owner.Name} -> {holder.Name}; client entry moved after {Ms(client)} ms, router entry after {Ms(viaRouter)} ms ({routerEntry?.State}); "
            + $"longest probe gap direct {directReport.LongestGap.TotalMilliseconds:0} ms, remote {remoteReport.LongestGap.TotalMilliseconds:0} ms{Environment.NewLine}  direct: {directReport}{Environment.NewLine}  remote: {remoteReport}"));
        Assert.True(client is not null, $"{name}: the client's entry never left {owner.Name}");
        Assert.True(viaRouter is not null, $"{name}: the router's entry never left {owner.Name}: {routerEntry}");
        Assert.Equal(holder.Mac, routerEntry?.Mac);
        return new Measured(client.Value, viaRouter.Value, GapAfter(directReport, directAt), GapAfter(remoteReport, routedAt), remoteReport.Received, remoteAnsweredAfter);
    }

    private static async Task<LabHost> StableOwnerAsync(LabNetwork lab, VipdCluster cluster, LabHost router)
    {
        var vip = LabNetwork.Vip4;
        LabHost? owner = null;
        var since = Stopwatch.GetTimestamp();
        for (var i = 0; i < 200 && !(owner is not null && Stopwatch.GetElapsedTime(since) >= TimeSpan.FromSeconds(1)); i++)
        {
            var holder = await cluster.WaitForSingleHolderAsync(vip, Settle);
            await lab.Client.ExecAsync("ping", "-c", "1", "-W", "1", vip.ToString());
            await lab.RemoteClient!.ExecAsync("ping", "-c", "1", "-W", "1", vip.ToString());
            var agreed = holder.Mac.Equals((await router.NeighborAsync(vip))?.Mac) && holder.Mac.Equals((await lab.Client.NeighborAsync(vip))?.Mac);
            if (!agreed || holder != owner)
            {
                owner = agreed ? holder : null;
                since = Stopwatch.GetTimestamp();
            }

            await Task.Delay(100);
        }

        return owner ?? throw new TimeoutException($"no stable owner of {vip} that the client and the router agree on{Environment.NewLine}{cluster.Logs()}");
    }

    /// <summary>The longest gap of <paramref name="report"/> that ends after <paramref name="moveAt"/> (prober time).</summary>
    private static TimeSpan GapAfter(ProbeReport report, TimeSpan moveAt) =>
        report.Gaps.Where(g => g.Start + g.Duration > moveAt).Select(g => g.Duration).DefaultIfEmpty(TimeSpan.Zero).Max();

    private static string Ms(TimeSpan? t) => t is { } v ? v.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) : "never";

    private sealed record Measured(TimeSpan Client, TimeSpan Router, TimeSpan DirectGap, TimeSpan RemoteGap, long RemoteReceived, bool RemoteAnsweredAfter);
}
