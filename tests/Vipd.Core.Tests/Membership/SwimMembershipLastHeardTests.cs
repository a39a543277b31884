using Vipd.Core.Tests.Simulation;

namespace Vipd.Core.Tests.Membership;

public class SwimMembershipLastHeardTests
{
    [Fact]
    public void LastHeard_LivePeer_RecentAndAdvancing()
    {
        using var cluster = new MembershipCluster(seed: 11).AddNodes(3);
        cluster.StartAll();
        Assert.True(cluster.RunUntil(() => cluster.Converged(), TimeSpan.FromSeconds(10)));

        var n1 = cluster["n1"].Membership;
        var first = n1.LastHeard("n2");
        Assert.NotNull(first);
        Assert.True(cluster.Time.GetUtcNow() - first.Value < TimeSpan.FromSeconds(2), "a live peer is heard from every few probe periods");

        cluster.RunFor(TimeSpan.FromSeconds(3));
        Assert.True(n1.LastHeard("n2") > first);
    }

    [Fact]
    public void LastHeard_LocalUnknownAndCrashed_NullOrFrozen()
    {
        using var cluster = new MembershipCluster(seed: 12).AddNodes(3);
        cluster.StartAll();
        Assert.True(cluster.RunUntil(() => cluster.Converged(), TimeSpan.FromSeconds(10)));
        var n1 = cluster["n1"].Membership;
        Assert.Null(n1.LastHeard("n1"));
        Assert.Null(n1.LastHeard("nobody"));

        cluster["n3"].Crash();
        cluster.RunFor(TimeSpan.FromMilliseconds(100));
        var last = n1.LastHeard("n3");
        Assert.NotNull(last);
        cluster.RunFor(TimeSpan.FromSeconds(5));
        Assert.Equal(last, n1.LastHeard("n3"));
    }
}
