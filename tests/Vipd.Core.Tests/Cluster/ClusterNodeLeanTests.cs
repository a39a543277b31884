using Microsoft.Extensions.Time.Testing;
using Vipd.Core.Checks;
using Vipd.Core.Cluster;
using Vipd.Core.Config;
using Vipd.Core.Election;
using Vipd.Core.Membership;
using Vipd.Core.Tests.Simulation;

namespace Vipd.Core.Tests.Cluster;

/// <summary>Lean records (format 3): peers derive a node's standing from its verdicts with the shared model.</summary>
public class ClusterNodeLeanTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly FakeMembership _membership = new("n1");
    private readonly StandingModel _model;
    private readonly ClusterNode _node;

    public ClusterNodeLeanTests()
    {
        // "web" prefers n2 (priority 200) over everyone else (100); preempt on; bound to eth0.
        var web = LeanScaleRun.Vips(1)[0] with { Name = "web", Priorities = new EquatableArray<NodePriority>([new NodePriority("n2", 200)]) };
        _model = StandingModel.Build([web], new Dictionary<string, CheckConfig>(StringComparer.Ordinal));
        _node = new ClusterNode("n1", new ClusterOptions(false, 2, TimeSpan.FromSeconds(5)) { StartupGrace = TimeSpan.Zero }, _membership, _time, null);
        _node.DesiredChanged += set => _node.ReportHeld([.. set]);
        _node.SetVips([new VipSpec("web", true, TimeSpan.Zero, null)]);
        _node.SetLocalState(false, _model, Verdicts(LinkState.Up));
    }

    public void Dispose() => _node.Dispose();

    [Fact]
    public void Alone_RecordIsLeanWithTheClaimAndVerdictsOnly()
    {
        Assert.Equal(["web"], _node.Desired);
        var record = _membership.LastPublished;
        Assert.True(record.Lean);
        Assert.Equal(_model.Digest, record.StandingDigest);
        Assert.Equal([new NodeVipEntry(VipKey.Of("web"), false, 0, true)], record.Vips);
        Assert.Equal(Verdicts(LinkState.Up), record.Verdicts);
        Assert.True(_node.PublishesLean);
        Assert.Equal(NodeRecordCodec.GetLeanSize(1, 1), _node.PublishedRecordSize);
    }

    [Fact]
    public void PeerLeanLinkUp_DerivedPriorityFromSharedConfig_PeerOwns()
    {
        _membership.Deliver("n2", Lean(_model.Digest, LinkState.Up, holding: false));

        var explanation = _node.Explain("web");
        Assert.Equal("n2", explanation.Owner);
        Assert.Contains("priority 200", explanation.Candidates.Single(c => c.Node == "n2").Reason, StringComparison.Ordinal);
        Assert.Equal(["web"], _node.Desired); // make-before-break: kept until n2 claims

        _membership.Deliver("n2", Lean(_model.Digest, LinkState.Up, holding: true));

        Assert.Empty(_node.Desired);
        var standing = _node.StandingOf("n2");
        Assert.NotNull(standing);
        Assert.Equal(new VipStanding("web", true, 200, true), Assert.Single(standing.Vips));
    }

    [Fact]
    public void PeerLeanLinkDown_DerivedNotEligible_ThisNodeKeepsIt()
    {
        _membership.Deliver("n2", Lean(_model.Digest, LinkState.Down, holding: false));

        Assert.Equal("n1", _node.Explain("web").Owner);
        Assert.Equal(["web"], _node.Desired);
    }

    [Fact]
    public void OwnLinkDown_DerivedWithTheSameFunction_NotEligible()
    {
        _node.SetLocalState(false, _model, Verdicts(LinkState.Down));

        Assert.Empty(_node.Desired);
        Assert.Empty(_membership.LastPublished.Vips);
        Assert.Equal(Verdicts(LinkState.Down), _membership.LastPublished.Verdicts);
    }

    [Fact]
    public void PeerStandingDigestDiffers_ExplicitAfterGraceThenLeanAgain()
    {
        _membership.Deliver("n2", Lean(_model.Digest ^ 1, LinkState.Up, holding: false));
        Assert.True(_membership.LastPublished.Lean);

        _time.Advance(ClusterNode.StandingGrace - TimeSpan.FromMilliseconds(10));
        Assert.True(_membership.LastPublished.Lean);

        _time.Advance(TimeSpan.FromMilliseconds(10));
        _time.Advance(TimeSpan.FromMilliseconds(5)); // the republication runs from the timer, a millisecond later

        var record = _membership.LastPublished;
        Assert.False(record.Lean);
        Assert.Equal([new NodeVipEntry(VipKey.Of("web"), true, 100, true)], record.Vips);

        _membership.Deliver("n2", Lean(_model.Digest, LinkState.Up, holding: false));
        _time.Advance(TimeSpan.FromMilliseconds(5));

        Assert.True(_membership.LastPublished.Lean);
    }

    [Fact]
    public void PeerExplicitRecord_UsedAsIs()
    {
        _membership.Peer("n2", MemberState.Alive, vips: ("web", true, 50, false));

        Assert.Equal("n1", _node.Explain("web").Owner);
        Assert.Equal(new VipStanding("web", true, 50, false), Assert.Single(_node.StandingOf("n2")!.Vips));
    }

    [Fact]
    public void PeerRecordGarbage_CountedAndIgnored()
    {
        _membership.Deliver("n2", [3, 0, 0]);

        Assert.Equal(1, _node.BadRecords);
        Assert.Equal(["web"], _node.Desired);
    }

    private NodeVerdict[] Verdicts(LinkState link) =>
        _model.VerdictsOf(new Dictionary<string, CheckStatus>(StringComparer.Ordinal), _ => link);

    private byte[] Lean(ulong digest, LinkState link, bool holding) =>
        NodeRecordCodec.Encode(new NodeRecord(1, false, false, holding ? [new NodeVipEntry(VipKey.Of("web"), false, 0, true)] : [])
        {
            StandingDigest = digest,
            Verdicts = Verdicts(link),
            Lean = true,
        });
}
