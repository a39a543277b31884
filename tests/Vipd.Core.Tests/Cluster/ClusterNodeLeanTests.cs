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
        Assert.Equal([new NodeVipEntry(VipKey.Of("web"), false, 0, true, 1)], record.Vips);
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
        Assert.Equal([new NodeVipEntry(VipKey.Of("web"), true, 100, true, 1)], record.Vips);

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

    [Fact]
    public void Derivation_RandomVerdicts_PeerSeesExactlyWhatTheNodeComputesForItself()
    {
        // One home for eligibility: n2 computes its own standing from its verdicts; n1 derives it from n2's lean
        // record with the same model. Checks with weight 0 (fault), a weight, a file value; two interfaces; per-node
        // priorities on some VIPs; BGP VIPs among L2 ones, with the node's BGP sessions unknown, down or up.
        var checks = new Dictionary<string, CheckConfig>(StringComparer.Ordinal)
        {
            ["fault"] = Check("fault", 0),
            ["weighted"] = Check("weighted", -30),
            ["file"] = Check("file", 0),
        };
        var vips = LeanScaleRun.Vips(60).Select((v, i) => v with
        {
            Interface = i % 3 == 0 ? "eth1" : "eth0",
            Checks = new EquatableArray<string>((i % 4) switch { 0 => Array.Empty<string>(), 1 => ["fault"], 2 => ["weighted", "file"], _ => ["file", "missing"] }),
            Priorities = i % 5 == 0 ? new EquatableArray<NodePriority>([new NodePriority("n2", 10 + i)]) : default,
            Mode = i % 7 == 0 || i % 11 == 0 ? VipMode.Bgp : VipMode.L2,
            Address = i % 11 == 0 ? System.Net.IPAddress.Parse($"2001:db8::{i + 1:x}") : v.Address,
            PrefixLength = i % 11 == 0 ? 128 : v.PrefixLength,
        }).ToList();
        var model = StandingModel.Build(vips, checks);
        var specs = vips.Select(v => new VipSpec(v.Name, true, TimeSpan.Zero, null)).ToList();
        var membership2 = new FakeMembership("n2");
        using var n2 = new ClusterNode("n2", new ClusterOptions(false, 2, TimeSpan.FromSeconds(5)) { StartupGrace = TimeSpan.Zero }, membership2, _time, null);
        n2.SetVips(specs);
        _node.SetVips(specs);
        var random = new Random(7);
        for (var round = 0; round < 200; round++)
        {
            var statuses = new Dictionary<string, CheckStatus>(StringComparer.Ordinal);
            foreach (var name in checks.Keys)
            {
                switch (random.Next(4))
                {
                    case 0:
                        break; // not run yet
                    case 1:
                        statuses[name] = new CheckStatus(name, false, "down", null);
                        break;
                    case 2:
                        statuses[name] = new CheckStatus(name, true, "ok", null);
                        break;
                    default:
                        statuses[name] = new CheckStatus(name, true, "ok", random.Next(-300, 300));
                        break;
                }
            }

            var links = new[] { LinkState.Gone, LinkState.Down, LinkState.Up };
            var eth0 = links[random.Next(3)];
            var eth1 = links[random.Next(3)];
            var bgp = new BgpSessions((BgpSessionState)random.Next(3), (BgpSessionState)random.Next(3));
            n2.SetLocalState(false, model, model.VerdictsOf(statuses, name => name == "eth0" ? eth0 : eth1, bgp));
            _node.SetLocalState(false, model, model.VerdictsOf(statuses, _ => LinkState.Up, BgpSessions.Established));
            Assert.True(membership2.LastPublished.Lean);
            _membership.Deliver("n2", membership2.LastBytes!);

            var own = n2.StandingOf("n2")!.Vips.Select(v => (v.Vip, v.Eligible, v.Priority));
            var derived = _node.StandingOf("n2")!.Vips.Select(v => (v.Vip, v.Eligible, v.Priority));
            Assert.Equal(own, derived);

            // And the rule itself: what the node's own Eligibility.Evaluate says for each VIP.
            foreach (var vip in vips)
            {
                var (eligible, priority, _) = Eligibility.Evaluate(vip, "n2", statuses, checks, vip.Interface == "eth0" ? eth0 : eth1, bgp);
                var standing = n2.StandingOf("n2")!.Vips.FirstOrDefault(v => v.Vip == vip.Name);
                Assert.Equal(eligible, standing?.Eligible ?? false);
                Assert.False(eligible && vip.Mode == VipMode.Bgp && bgp.For(vip) != BgpSessionState.Established, $"{vip.Name} (BGP) eligible without a BGP session of its family");
                if (eligible)
                {
                    Assert.Equal(priority, standing!.Priority);
                }
            }
        }
    }

    private static CheckConfig Check(string name, int weight) => new()
    {
        Name = name,
        Type = CheckType.File,
        Interval = TimeSpan.FromSeconds(1),
        Timeout = TimeSpan.FromSeconds(1),
        Rise = 1,
        Fall = 1,
        Weight = weight,
    };

    private NodeVerdict[] Verdicts(LinkState link) =>
        _model.VerdictsOf(new Dictionary<string, CheckStatus>(StringComparer.Ordinal), _ => link, BgpSessions.Established);

    private byte[] Lean(ulong digest, LinkState link, bool holding) =>
        NodeRecordCodec.Encode(new NodeRecord(1, false, false, holding ? [new NodeVipEntry(VipKey.Of("web"), false, 0, true)] : [])
        {
            StandingDigest = digest,
            Verdicts = Verdicts(link),
            Lean = true,
        });
}
