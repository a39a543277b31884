using Microsoft.Extensions.Time.Testing;
using Vipd.Core.Cluster;
using Vipd.Core.Election;
using Vipd.Core.Membership;

namespace Vipd.Core.Tests.Cluster;

public class ClusterNodeConcurrencyTests
{
    [Fact]
    public async Task ClusterNode_ConcurrentCallersAndTimers_NoDeadlockAndConsistentAtRest()
    {
        var time = new FakeTimeProvider();
        var membership = new LockedMembership("n1");
        var vip = new VipSpec("web", true, TimeSpan.FromMilliseconds(5), null);
        using var node = new ClusterNode("n1", new ClusterOptions(false, 2, TimeSpan.FromMilliseconds(20)) { StartupGrace = TimeSpan.Zero }, membership, time, null);
        var deliveries = 0;
        node.DesiredChanged += set =>
        {
            Interlocked.Increment(ref deliveries);
            node.ReportHeld([.. set]); // the announcer, re-entrant on the raising thread
        };
        node.SetVips([vip]);
        node.SetLocalState(false, new Dictionary<string, LocalVipState> { ["web"] = new(true, 100) });

        var tasks = new[]
        {
            Task.Run(() =>
            {
                var random = new Random(1);
                for (var i = 0; i < 2000; i++)
                {
                    membership.Peer("n2", random.Next(4) == 0 ? MemberState.Dead : MemberState.Alive, random.Next(2) == 0, random.Next(90, 111), random.Next(2) == 0, "web");
                }
            }),
            Task.Run(() =>
            {
                var random = new Random(2);
                for (var i = 0; i < 2000; i++)
                {
                    node.SetLocalState(random.Next(10) == 0, new Dictionary<string, LocalVipState> { ["web"] = new(random.Next(4) > 0, random.Next(95, 106)) });
                }
            }),
            Task.Run(() =>
            {
                for (var i = 0; i < 2000; i++)
                {
                    time.Advance(TimeSpan.FromMilliseconds(1)); // preempt and handover timers fire on this thread
                    _ = node.Explain("web");
                    _ = node.Desired.Count;
                }
            }),
        };

        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60)); // a deadlock times out here

        // At rest: a better peer that is live, eligible and claiming; n1 must end up not holding.
        membership.Peer("n2", MemberState.Alive, true, 200, true, "web");
        node.SetLocalState(false, new Dictionary<string, LocalVipState> { ["web"] = new(true, 100) });
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(node.Desired);
        Assert.Equal("n2", node.Explain("web").Owner);

        // Then the peer dies: n1 takes it.
        membership.Peer("n2", MemberState.Dead, true, 200, true, "web");
        Assert.Equal(["web"], node.Desired);
        Assert.True(deliveries > 2);
    }
}
