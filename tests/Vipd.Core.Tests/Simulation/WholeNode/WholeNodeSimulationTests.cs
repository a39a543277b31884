using System.Net;
using Vipd.Core.Membership;

namespace Vipd.Core.Tests.Simulation.WholeNode;

/// <summary>
/// Complete nodes (the daemon's <c>Node</c>) in virtual time with a fake kernel and a simulated segment: the
/// invariants hold once a detection window has passed since the last fault, whatever the seeded faults were.
/// </summary>
public sealed class WholeNodeSimulationTests
{
    private static readonly TimeSpan QuietWindow = ChaosScenario.QuietWindow;

    [Fact]
    public void Crash_HolderDies_OneSurvivorTakesOverAndTheClientFollows()
    {
        using var sim = new NodeSimulation(seed: 1, hosts: 3, vips: 4, quorum: false);
        sim.StartAll();

        sim.Run(TimeSpan.FromSeconds(3));
        Assert.Null(sim.CheckInvariants());
        var address = IPAddress.Parse("198.51.100.101");
        var holder = Assert.Single(sim.Hosts, h => h.Kernel.Has(address));

        sim.Crash(holder);
        var crashedAt = sim.Now;
        TimeSpan? followedAt = null;
        sim.Run(TimeSpan.FromSeconds(2), () =>
        {
            if (followedAt is null && sim.Segment.ClientCache.TryGetValue(address, out var mac) && !mac.Equals(holder.Kernel.Mac))
            {
                followedAt = sim.Now;
            }
        });

        Assert.Null(sim.CheckInvariants());
        Assert.NotNull(followedAt);
        var gap = followedAt.Value - crashedAt;
        Assert.True(gap < TimeSpan.FromMilliseconds(500), $"the client followed after {gap.TotalMilliseconds} ms");
    }

    [Fact]
    public void Drain_AVipOnlyThisNodeKnows_NoSuccessorToWaitFor_StopNeedNotWaitTheHandoverTimeout()
    {
        using var sim = new NodeSimulation(seed: 21, hosts: 2, vips: 4, quorum: false);
        sim.StartAll();

        sim.Run(TimeSpan.FromSeconds(3));
        // The lower-named node: its peer's rule for VIPs held by a node whose VIP set differs ("the lower-named node
        // keeps it") must not hold a drained VIP there (the package test's 5 s stop).
        var holder = sim.Hosts[0];
        Assert.Contains(Enumerable.Range(0, 4), i => holder.Kernel.Has(IPAddress.Parse($"198.51.100.{100 + i}")));
        sim.ReloadOne(holder, extraVip: true);
        sim.Run(TimeSpan.FromSeconds(3));
        Assert.True(holder.Kernel.Has(IPAddress.Parse("198.51.100.250")), "the reload-added VIP is not held by the only node that knows it");

        var node = holder.Node!;
        holder.Loop!.Post(node.BeginDrain);
        TimeSpan? done = null;
        var drainAt = sim.Now;
        var trace = new List<string>();
        sim.Run(TimeSpan.FromSeconds(7), () =>
        {
            // NodeService.StopAsync's wait: the handover is complete, or nobody else can take what this node still holds.
            var held = node.Announcer.Held;
            if (done is null && (node.Cluster.HandoverComplete || held.All(v => node.Cluster.Explain(v).Owner is null)))
            {
                done = sim.Now - drainAt;
            }

            if ((long)(sim.Now - drainAt).TotalMilliseconds % 500 == 0)
            {
                trace.Add($"{(sim.Now - drainAt).TotalMilliseconds:0} ms: held [{string.Join(",", held)}], owners [{string.Join(",", held.Select(v => v + "=" + (node.Cluster.Explain(v).Owner ?? "-")))}]");
            }
        });

        Assert.True(done < TimeSpan.FromSeconds(1), $"the stop would wait {done?.TotalMilliseconds ?? -1:0} ms{Environment.NewLine}{string.Join(Environment.NewLine, trace)}{Environment.NewLine}{string.Join(Environment.NewLine, sim.Log)}");
    }

    [Fact]
    public void CheckFails_OnALowerNamedHolderWhoseVipSetDiffers_PeerTakesItsVipsAtOnce()
    {
        using var sim = new NodeSimulation(seed: 22, hosts: 2, vips: 7, quorum: false);
        sim.StartAll();

        sim.Run(TimeSpan.FromSeconds(3));
        var holder = sim.Hosts[0];
        var peer = sim.Hosts[1];
        sim.ReloadOne(holder, extraVip: true);
        sim.Run(TimeSpan.FromSeconds(3));
        // VIPs v0, v3 and v6 carry the check; the ones the lower-named node holds must move when it fails there.
        var checkedHeld = new[] { 0, 3, 6 }.Select(i => IPAddress.Parse($"198.51.100.{100 + i}")).Where(holder.Kernel.Has).ToList();
        Assert.NotEmpty(checkedHeld);

        sim.FailCheck(holder, TimeSpan.FromSeconds(20));
        var failedAt = sim.Now;
        TimeSpan? moved = null;
        sim.Run(TimeSpan.FromSeconds(7), () =>
        {
            if (moved is null && checkedHeld.All(a => peer.Kernel.Has(a) && !holder.Kernel.Has(a)))
            {
                moved = sim.Now - failedAt;
            }
        });

        // Not the handover timeout (5 s): the failing node's own entry says "not eligible", so its peer does not leave
        // the VIPs with it although their VIP sets differ.
        Assert.True(moved < TimeSpan.FromSeconds(2), $"moved after {moved?.TotalMilliseconds ?? -1:0} ms{Environment.NewLine}{string.Join(Environment.NewLine, sim.Log)}");
    }

    [Fact]
    public void Freeze_HolderFrozenThenThawed_OneHolderAfterwards()
    {
        using var sim = new NodeSimulation(seed: 2, hosts: 3, vips: 4, quorum: false);
        sim.StartAll();

        sim.Run(TimeSpan.FromSeconds(3));
        var holder = Assert.Single(sim.Hosts, h => h.Kernel.Has(IPAddress.Parse("198.51.100.100")));
        sim.Freeze(holder, TimeSpan.FromSeconds(2));
        sim.Run(TimeSpan.FromSeconds(1));

        // While frozen the old holder's kernel still has the VIP: two holders, the client follows the new one.
        Assert.Equal(2, sim.Hosts.Count(h => h.Kernel.Has(IPAddress.Parse("198.51.100.100"))));
        sim.Run(QuietWindow);
        Assert.Null(sim.CheckInvariants());
    }

    [Fact]
    public void Freeze_StaleHolderOfAPreemptOffVip_YieldsToTheLaterTakeover()
    {
        // v1 has preempt = false: once another node took it over, it stays there. The frozen holder wakes still holding
        // it (its kernel kept the address); its claim's epoch is older than the successor's, so it is the one that
        // releases, whatever the two rank (the rank alone would hand it back to the better-ranked stale holder).
        var v1 = IPAddress.Parse("198.51.100.101");
        using var sim = new NodeSimulation(seed: 5, hosts: 3, vips: 4, quorum: false);
        sim.StartAll();

        sim.Run(TimeSpan.FromSeconds(3));
        var stale = Assert.Single(sim.Hosts, h => h.Kernel.Has(v1));
        sim.Freeze(stale, TimeSpan.FromSeconds(3));
        sim.Run(TimeSpan.FromSeconds(2));
        var successor = Assert.Single(sim.Hosts, h => h != stale && h.Kernel.Has(v1));

        sim.Run(QuietWindow);

        Assert.Equal([successor], sim.Hosts.Where(h => h.Kernel.Has(v1)));
        Assert.Null(sim.CheckInvariants());
    }

    [Fact]
    public void PartitionHeals_BothSidesHeldEveryVip_OneHolderEachSoonAfterTheViewsMeet()
    {
        using var sim = new NodeSimulation(seed: 3, hosts: 3, vips: 6, quorum: false);
        sim.StartAll();

        sim.Run(TimeSpan.FromSeconds(3));
        _ = sim.Partition(1);
        sim.Run(TimeSpan.FromSeconds(3));
        var v0 = IPAddress.Parse("198.51.100.100");
        Assert.Equal(2, sim.Hosts.Count(h => h.Kernel.Has(v0))); // n0 alone and the n1/n2 side both hold it

        sim.HealNetwork();
        var healedAt = sim.Now;
        TimeSpan? meetAt = null;
        TimeSpan? singleAt = null;
        TimeSpan? resolvedAt = null;
        string? lastViolation = null;
        string? previous = null;
        sim.Run(TimeSpan.FromSeconds(5), () =>
        {
            meetAt ??= sim.Hosts.All(h => h.Node!.Membership.Members.Count(m => m.IsLive) == 3) ? sim.Now : null;
            singleAt ??= Enumerable.Range(100, 6).All(i => sim.Hosts.Count(h => h.Kernel.Has(IPAddress.Parse($"198.51.100.{i}"))) <= 1) ? sim.Now : null;
            if (meetAt is not null && resolvedAt is null)
            {
                lastViolation = sim.CheckInvariants();
                resolvedAt = lastViolation is null ? sim.Now : null;
                lastViolation ??= previous;
                previous = lastViolation;
            }
        });

        Assert.NotNull(meetAt);
        Assert.NotNull(singleAt);
        Assert.NotNull(resolvedAt);
        var message = $"views met {(meetAt.Value - healedAt).TotalMilliseconds} ms after the heal, one holder per VIP at {(singleAt.Value - healedAt).TotalMilliseconds} ms, the client following every holder at {(resolvedAt.Value - healedAt).TotalMilliseconds} ms; last: {lastViolation}";

        // The claims travel with the gossip that brings the views together: every VIP has one holder within one
        // probe period (the default's) of the views meeting; the winner re-announces once the loser's claim ends, so
        // the client follows within the default detection bound.
        Assert.True(singleAt.Value - meetAt.Value <= MembershipOptions.Default.ProbeInterval, message);
        Assert.True(resolvedAt.Value - meetAt.Value <= TimeSpan.FromMilliseconds(500), message);
    }
}
