using System.Net;
using Microsoft.Extensions.Time.Testing;
using Vipd.Core.Cluster;
using Vipd.Core.Election;
using Vipd.Core.Membership;

namespace Vipd.Tests.Cluster;

/// <summary>What the API reads from and asks of ClusterNode: drain and undrain, maintenance, quorum, owners, standings.</summary>
public sealed class ClusterNodeApiTests
{
    private static readonly VipSpec Web = new("web", Preempt: true, TimeSpan.Zero, null);

    private static (ClusterNode Node, SoloMembership Membership, FakeTimeProvider Time) Solo()
    {
        var time = new FakeTimeProvider();
        var membership = new SoloMembership("n1");
        var node = new ClusterNode("n1", new ClusterOptions(false, 1, TimeSpan.FromSeconds(5)) { StartupGrace = TimeSpan.Zero }, membership, time, null);
        node.SetVips([Web]);
        node.SetLocalState(false, new Dictionary<string, LocalVipState> { ["web"] = new(true, 100) });
        return (node, membership, time);
    }

    [Fact]
    public void EndHandover_AfterDrain_EligibleAgainAndOwnsTheVip()
    {
        var (node, _, time) = Solo();
        using var _ = node;
        node.ReportHeld(["web"]);

        node.BeginHandover();
        time.Advance(TimeSpan.FromSeconds(6)); // nobody takes it over: released after the handover timeout
        Assert.True(node.IsDraining);
        Assert.True(node.HandoverComplete);
        Assert.Empty(node.Desired);
        node.ReportHeld([]);

        node.EndHandover();

        Assert.False(node.IsDraining);
        Assert.False(node.HandoverComplete);
        Assert.Equal(["web"], node.Desired);
        Assert.Equal("n1", node.Owners["web"]);
        Assert.False(node.StandingOf("n1")!.Draining);
    }

    [Fact]
    public void EndHandover_NotDraining_NoChange()
    {
        var (node, _, _) = Solo();
        using var _ = node;

        node.EndHandover();

        Assert.False(node.IsDraining);
        Assert.Equal(["web"], node.Desired);
    }

    [Fact]
    public void StandingOf_LocalNodeInMaintenance_FlagsAndEntriesReported()
    {
        var (node, _, _) = Solo();
        using var _ = node;
        node.SetLocalState(false, new Dictionary<string, LocalVipState> { ["web"] = new(true, 150) });
        node.ReportHeld(["web"]);
        Assert.Equal(new VipStanding("web", true, 150, true), Assert.Single(node.StandingOf("n1")!.Vips));

        node.SetLocalState(true, new Dictionary<string, LocalVipState> { ["web"] = new(true, 150) });
        var standing = node.StandingOf("n1");

        Assert.True(node.IsMaintenance);
        Assert.NotNull(standing);
        Assert.True(standing.Maintenance);
        // In maintenance with nobody else eligible the VIP is let go: still bound a moment, but no longer claimed.
        var vip = Assert.Single(standing.Vips);
        Assert.Equal(new VipStanding("web", true, 150, false), vip);
        Assert.Null(node.StandingOf("n9"));
    }

    [Fact]
    public void HoldersOfAndQuorum_PeerClaims_Reported()
    {
        var (node, membership, _) = Solo();
        using var _ = node;
        var record = NodeRecordCodec.Encode(new NodeRecord(1, false, false, [new NodeVipEntry(VipKey.Of("web"), true, 200, true)]));

        membership.Add(new Member("n2", new IPEndPoint(IPAddress.Parse("192.0.2.12"), 7450), MemberState.Alive, 1, record));

        Assert.Equal(["n2"], node.HoldersOf("web"));
        Assert.Equal("n2", node.Owners["web"]);
        Assert.Equal(2, node.Quorum.LiveNodes);
        Assert.True(node.Quorum.HasQuorum);
        Assert.Empty(node.HoldersOf("nope"));
    }
}
