using Microsoft.Extensions.Time.Testing;
using Vipd.Core.Cluster;
using Vipd.Core.Election;
using Vipd.Core.Membership;
using Vipd.Core.Wire;

namespace Vipd.Core.Tests.Cluster;

public class ClusterNodeTests : IDisposable
{
    private static readonly TimeSpan Handover = TimeSpan.FromSeconds(5);
    private readonly FakeTimeProvider _time = new();
    private readonly FakeMembership _membership = new("n1");
    private readonly List<OwnershipChange> _changes = [];
    private readonly List<string> _reannounced = [];
    private ClusterNode? _node;

    private ClusterNode Node => _node!;

    public void Dispose() => _node?.Dispose();

    /// <summary>Creates n1 with one VIP "web" and, by default, an instant announcer (Desired becomes held at once).</summary>
    private ClusterNode Start(VipSpec? vip = null, int priority = 100, bool quorum = false, int expected = 3, bool announcer = true)
    {
        _node = new ClusterNode("n1", new ClusterOptions(quorum, expected, Handover) { StartupGrace = TimeSpan.Zero }, _membership, _time, null);
        _node.OwnershipChanged += _changes.Add;
        _node.ReannounceRequested += _reannounced.Add;
        if (announcer)
        {
            _node.DesiredChanged += set => _node.ReportHeld([.. set]);
        }

        _node.SetVips([vip ?? new VipSpec("web", false, TimeSpan.Zero, null)]);
        _node.SetLocalState(false, new Dictionary<string, LocalVipState> { ["web"] = new(true, priority) });
        return _node;
    }

    [Fact]
    public void Desired_AloneAndEligible_ContainsVipAndClaimsIt()
    {
        Start();

        Assert.Equal(["web"], Node.Desired);
        var entry = Assert.Single(_membership.LastPublished.Vips);
        Assert.Equal(new NodeVipEntry(VipKey.Of("web"), true, 100, true, 1), entry);
        Assert.Equal("elected: rank 1: priority 100, eligible; owner", Assert.Single(_changes).Reason);
    }

    [Fact]
    public void Desired_NotEligibleAlone_Empty()
    {
        Start();
        Node.SetLocalState(false, new Dictionary<string, LocalVipState> { ["web"] = new(false, 100) });

        Assert.Empty(Node.Desired);
        Assert.Equal("not eligible: not ready for this VIP", Node.Explain("web").Candidates[0].Reason);
        Assert.DoesNotContain(_membership.LastPublished.Vips, v => v.Eligible);
    }

    [Fact]
    public void Desired_NotInAllowedNodes_Empty()
    {
        Start(new VipSpec("web", false, TimeSpan.Zero, ["n2"]));

        Assert.Empty(Node.Desired);
        Assert.Equal("not eligible: not in allowed nodes", Node.Explain("web").Candidates[0].Reason);
    }

    [Fact]
    public void Desired_BetterPeerEligible_NotTaken()
    {
        _membership.Peer("n2", MemberState.Alive, vips: ("web", true, 200, false));
        Start();

        Assert.Empty(Node.Desired);
        var explanation = Node.Explain("web");
        Assert.Equal("n2", explanation.Owner);
        Assert.Equal(["n2", "n1"], explanation.Candidates.Select(c => c.Node));
    }

    [Fact]
    public void Changed_OwnerDies_TakesOverAndRaisesOwnershipChangedOnce()
    {
        _membership.Peer("n2", MemberState.Alive, vips: ("web", true, 200, true));
        Start();
        Assert.Empty(Node.Desired);

        _membership.State("n2", MemberState.Suspect);
        Assert.Empty(Node.Desired); // suspect is still live
        _membership.State("n2", MemberState.Dead);
        _membership.State("n2", MemberState.Dead);

        Assert.Equal(["web"], Node.Desired);
        Assert.Equal(2, _changes.Count);
        Assert.Equal(new OwnershipChange("web", null, "n2", "elected: rank 1: priority 200, eligible, holding (epoch 0); owner"), _changes[0]);
        Assert.Equal("web", _changes[1].Vip);
        Assert.Equal("n2", _changes[1].From);
        Assert.Equal("n1", _changes[1].To);
        Assert.StartsWith("n2: not eligible: dead; n1: rank 1", _changes[1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Changed_BetterRankedPeerClaims_ReleasesAtOnce()
    {
        Start();
        Assert.Equal(["web"], Node.Desired);

        // A later takeover (its epoch above this node's 1): the peer took it over, so this node yields.
        _membership.ClaimEpoch = 2;
        _membership.Peer("n2", MemberState.Alive, vips: ("web", true, 200, true));

        Assert.Empty(Node.Desired);
        Assert.False(_membership.LastPublished.Vips.Single().Holding);
    }

    [Fact]
    public void Changed_BetterRankedPeerWithAnOlderClaim_KeepsAndReannouncesTheStaleHolderYields()
    {
        Start();
        Assert.Equal(["web"], Node.Desired);

        // An older claim (epoch 0, below this node's 1): a stale holder (it was frozen, or cut off) that this node
        // took the VIP over from. It yields, whatever its rank, and this node announces again.
        _membership.Peer("n2", MemberState.Alive, vips: ("web", true, 200, true));

        Assert.Equal(["web"], Node.Desired);
        Assert.Equal(["web"], _reannounced);
        Assert.Contains("holding (epoch 1); owner", Node.Explain("web").Candidates.Single(c => c.Node == "n1").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void TakeOver_FromADeadHolder_EpochAboveItsClaimAndReannouncedWhenItIsBack()
    {
        _membership.ClaimEpoch = 7;
        _membership.Peer("n2", MemberState.Alive, vips: ("web", true, 200, true));
        Start();
        Assert.Empty(Node.Desired);

        _membership.State("n2", MemberState.Dead);
        Assert.Equal(["web"], Node.Desired);
        Assert.Equal(8u, _membership.LastPublished.Vips.Single().Epoch);
        Assert.Empty(_reannounced);

        // n2 is back (a healed partition, a thawed freeze) and has already yielded: this node never sees its claim
        // again, yet a client may still point at n2, so this node announces again, once.
        _membership.ClaimEpoch = 0;
        _membership.Peer("n2", MemberState.Alive, vips: ("web", true, 200, false));
        _membership.Peer("n2", MemberState.Alive, vips: ("web", true, 200, false));

        Assert.Equal(["web"], Node.Desired);
        Assert.Equal(["web"], _reannounced);
    }

    [Fact]
    public void Changed_LowerRankedPeerClaims_KeepsAndReannouncesWhenTheClaimStartsAndWhenItEnds()
    {
        Start(priority: 200);

        _membership.Peer("n2", MemberState.Alive, vips: ("web", true, 100, true));
        _membership.Peer("n2", MemberState.Alive, vips: ("web", true, 100, true));

        Assert.Equal(["web"], Node.Desired);
        Assert.Equal(["web"], _reannounced);

        // The claim ends (n2 yielded; its last GARPs may have left after ours): announce again, once.
        _membership.Peer("n2", MemberState.Alive, vips: ("web", true, 100, false));
        Assert.Equal(["web", "web"], _reannounced);
        _membership.Peer("n2", MemberState.Alive, vips: ("web", true, 100, false));
        Assert.Equal(["web", "web"], _reannounced);

        _membership.Peer("n2", MemberState.Alive, vips: ("web", true, 100, true));
        Assert.Equal(["web", "web", "web"], _reannounced);
    }

    [Fact]
    public void Changed_PeerAppearsWithPreemptOff_HolderKeepsIt()
    {
        Start(priority: 100);

        _membership.Peer("n2", MemberState.Alive, vips: ("web", true, 200, false));

        Assert.Equal(["web"], Node.Desired);
        Assert.Equal("n1 owns it: rank 2, holder (preempt off)", Node.Explain("web").Summary);
    }

    [Fact]
    public void Quorum_MajorityLost_ReleasesEverythingAtOnce()
    {
        _membership.Peer("n2", MemberState.Alive, vips: ("web", true, 100, false));
        _membership.Peer("n3", MemberState.Alive, vips: ("web", true, 100, false));
        Start(priority: 200, quorum: true, expected: 3);
        Assert.Equal(["web"], Node.Desired);

        _membership.State("n2", MemberState.Dead);
        Assert.Equal(["web"], Node.Desired); // 2 of 3 live

        _membership.State("n3", MemberState.Dead);
        Assert.Empty(Node.Desired);
        Assert.Equal("no owner: no quorum (1 of 3 nodes live, 2 needed)", Node.Explain("web").Summary);
        Assert.Null(_changes[^1].To);

        _membership.State("n3", MemberState.Alive);
        Assert.Equal(["web"], Node.Desired);
    }

    [Fact]
    public void Quorum_AloneWithoutPeers_HoldsNothing()
    {
        Start(quorum: true, expected: 2);

        Assert.Empty(Node.Desired);
    }

    [Fact]
    public void PreemptDelay_BetterPeerWaitsThenTakesOverMakeBeforeBreak()
    {
        Start(new VipSpec("web", true, TimeSpan.FromSeconds(30), null), priority: 100);
        Assert.Equal(["web"], Node.Desired);

        _membership.Peer("n2", MemberState.Alive, vips: ("web", true, 200, false));
        _time.Advance(TimeSpan.FromSeconds(29.9));
        Assert.Equal(["web"], Node.Desired);
        Assert.Equal("n1", Node.Explain("web").Owner);

        _time.Advance(TimeSpan.FromSeconds(0.1)); // the preempt timer fires: n2 is the owner, n1 keeps it until n2 claims
        Assert.Equal("n2", Node.Explain("web").Owner);
        Assert.Equal(["web"], Node.Desired);
        Assert.Equal(("n1", "n2"), (_changes[^1].From, _changes[^1].To));

        _membership.Peer("n2", MemberState.Alive, vips: ("web", true, 200, true));
        Assert.Empty(Node.Desired);
    }

    [Fact]
    public void PreemptDelay_SuccessorNeverClaims_ReleasedAfterHandoverTimeout()
    {
        Start(new VipSpec("web", true, TimeSpan.FromSeconds(30), null), priority: 100);
        _membership.Peer("n2", MemberState.Alive, vips: ("web", true, 200, false));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(["web"], Node.Desired);

        _time.Advance(Handover - TimeSpan.FromMilliseconds(1));
        Assert.Equal(["web"], Node.Desired);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Empty(Node.Desired);
    }

    [Fact]
    public void BeginHandover_SuccessorClaims_ReleasesAndCompletes()
    {
        _membership.Peer("n2", MemberState.Alive, vips: ("web", true, 100, false));
        Start(priority: 200);
        Assert.Equal(["web"], Node.Desired);

        Assert.True(Node.Defends("web"));
        Node.BeginHandover();

        Assert.True(_membership.LastPublished.Draining);
        Assert.Equal(["web"], Node.Desired);
        Assert.False(Node.Defends("web"));
        Assert.False(Node.HandoverComplete);
        Assert.Equal("not eligible: draining", Node.Explain("web").Candidates.Single(c => c.Node == "n1").Reason);

        // The successor claims it: this node lingers for in-flight packets, then lets go.
        _membership.Peer("n2", MemberState.Alive, vips: ("web", true, 100, true));
        Assert.Equal(["web"], Node.Desired);
        _time.Advance(ClusterOptions.DefaultHandoverLinger - TimeSpan.FromMilliseconds(1));
        Assert.Equal(["web"], Node.Desired);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Empty(Node.Desired);
        Assert.False(Node.Defends("web"));
        Assert.True(Node.HandoverComplete);
    }

    [Fact]
    public void SuccessorClaims_NotDraining_ReleasesAtOnce()
    {
        _membership.Peer("n2", MemberState.Alive, vips: ("web", true, 100, false));
        Start(priority: 200);
        Assert.Equal(["web"], Node.Desired);

        // A better-ranked live node claims it (a preemption: a later takeover): no linger, release at once.
        _membership.ClaimEpoch = 2;
        _membership.Peer("n2", MemberState.Alive, vips: ("web", true, 250, true));
        Assert.Empty(Node.Desired);
    }

    [Fact]
    public void BeginHandover_NoSuccessor_DropsAfterTimeout()
    {
        Start();
        Node.BeginHandover();
        Assert.Equal(["web"], Node.Desired);

        _time.Advance(Handover);

        Assert.Empty(Node.Desired);
        Assert.True(Node.HandoverComplete);
    }

    [Fact]
    public void SetLocalState_Maintenance_PublishesFlagAndHandsOver()
    {
        _membership.Peer("n2", MemberState.Alive, vips: ("web", true, 100, false));
        Start(priority: 200);

        Node.SetLocalState(true, new Dictionary<string, LocalVipState> { ["web"] = new(true, 200) });

        Assert.True(_membership.LastPublished.Maintenance);
        Assert.Equal("n2", Node.Explain("web").Owner);
        Assert.Equal(["web"], Node.Desired);
        _membership.Peer("n2", MemberState.Alive, vips: ("web", true, 100, true));
        Assert.Empty(Node.Desired);
    }

    [Fact]
    public void Changed_NoOtherEligibleNode_ReleasesAtOnceWhenNotReady()
    {
        Start();
        Node.SetLocalState(false, new Dictionary<string, LocalVipState> { ["web"] = new(false, 100) });

        Assert.Empty(Node.Desired);
    }

    [Fact]
    public void SetVips_NamesWhose32BitIdsCollide_BothElected()
    {
        // Format 1 named VIPs by a 32-bit id that a Service author could brute-force to collide with a configured VIP
        // (neither then had an owner); the 64-bit key of format 2 tells them apart.
        var (a, b) = FindLegacyCollision();
        _node = new ClusterNode("n1", new ClusterOptions(false, 1, Handover) { StartupGrace = TimeSpan.Zero }, _membership, _time, null);
        _node.SetVips([new VipSpec(a, false, TimeSpan.Zero, null), new VipSpec(b, false, TimeSpan.Zero, null), new VipSpec("web", false, TimeSpan.Zero, null)]);
        _node.SetLocalState(false, new Dictionary<string, LocalVipState> { [a] = new(true, 1), [b] = new(true, 1), ["web"] = new(true, 1) });

        Assert.Equal(new HashSet<string>([a, b, "web"]), _node.Desired.ToHashSet());
        Assert.Equal(3, _membership.LastPublished.Vips.Count);
    }

    [Fact]
    public void SetLocalState_FourHundredVips_PublishesEveryEntryAndClaim()
    {
        var vips = Enumerable.Range(0, 400).Select(i => new VipSpec($"vip-{i:D3}", false, TimeSpan.Zero, null)).ToArray();
        _node = new ClusterNode("n1", new ClusterOptions(false, 1, Handover) { StartupGrace = TimeSpan.Zero }, _membership, _time, null);
        _node.SetVips(vips);
        _node.SetLocalState(false, vips.ToDictionary(v => v.Name, _ => new LocalVipState(true, 100)));
        _node.ReportHeld([.. vips.Select(v => v.Name)]); // the announcer reports after applying the set

        var record = _membership.LastPublished;
        Assert.Equal(400, record.Vips.Count);
        Assert.All(vips, v => Assert.True(record.TryGet(VipKey.Of(v.Name), out var entry) && entry.Holding && entry.Eligible));
        Assert.True(_membership.LastBytes!.Length > WireFormat.MaxMetadataBytes); // carried by reference and fragments
        Assert.Equal(400, _node.Desired.Count);
    }

    [Fact]
    public void SetVips_NewVipPeerDoesNotKnowYet_ClaimedOnlyOnceThePeerKnowsIt()
    {
        Start();
        _membership.Peer("n2", MemberState.Alive, _membership.LastPublished.VipSetDigest, vips: ("web", true, 50, false));
        VipSpec[] both = [new("web", false, TimeSpan.Zero, null), new("api", false, TimeSpan.Zero, null)];

        Node.SetVips(both);
        Node.SetLocalState(false, new Dictionary<string, LocalVipState> { ["web"] = new(true, 100), ["api"] = new(true, 100) });

        Assert.Equal(["web"], Node.Desired); // n2 may be api's rightful owner: it has not heard of api yet
        Assert.Contains("new VIP", Node.Explain("api").Summary, StringComparison.Ordinal);

        // n2 learns api (same digest now) and is not better ranked: this node claims it, once.
        _membership.Peer("n2", MemberState.Alive, _membership.LastPublished.VipSetDigest, vips: [("web", true, 50, false), ("api", true, 50, false)]);
        Assert.Equal(new HashSet<string>(["web", "api"]), Node.Desired.ToHashSet());
    }

    [Fact]
    public void SetVips_NewVipWhoseRightfulOwnerIsThePeer_NeverClaimedHere()
    {
        Start();
        _membership.Peer("n2", MemberState.Alive, _membership.LastPublished.VipSetDigest, vips: ("web", true, 50, false));
        Node.SetVips([new("web", false, TimeSpan.Zero, null), new("api", false, TimeSpan.Zero, null)]);
        Node.SetLocalState(false, new Dictionary<string, LocalVipState> { ["web"] = new(true, 100), ["api"] = new(true, 100) });
        var claimedApi = false;
        Node.DesiredChanged += set => claimedApi |= set.Contains("api");

        _membership.Peer("n2", MemberState.Alive, _membership.LastPublished.VipSetDigest, vips: [("web", true, 50, false), ("api", true, 200, true)]);
        _time.Advance(TimeSpan.FromSeconds(3));

        Assert.False(claimedApi);
        Assert.Equal("n2", Node.Owners["api"]);
    }

    [Fact]
    public void SetVips_NewVipPeerNeverLearnsIt_ClaimedWhenTheGraceIsOver()
    {
        Start();
        _membership.Peer("n2", MemberState.Alive, _membership.LastPublished.VipSetDigest, vips: ("web", true, 50, false));
        Node.SetVips([new("web", false, TimeSpan.Zero, null), new("api", false, TimeSpan.Zero, null)]);
        Node.SetLocalState(false, new Dictionary<string, LocalVipState> { ["web"] = new(true, 100), ["api"] = new(true, 100) });
        Assert.DoesNotContain("api", Node.Desired);

        _time.Advance(ClusterOptions.DefaultNewVipGrace - TimeSpan.FromMilliseconds(10));
        Assert.DoesNotContain("api", Node.Desired);
        _time.Advance(TimeSpan.FromMilliseconds(20));

        Assert.Contains("api", Node.Desired);
    }

    [Fact]
    public void Claims_LowerNamedPeerWithOtherVipSettingsHoldsIt_LeftToIt()
    {
        Start(new VipSpec("web", true, TimeSpan.Zero, null), priority: 100);
        Assert.Equal(["web"], Node.Desired);

        _membership.Peer("n0", MemberState.Alive, vipSetDigest: 42, vips: ("web", true, 50, true));

        Assert.Empty(Node.Desired);
        Assert.Equal("n0", Node.Owners["web"]);
        Assert.Contains("configuration differs", Node.Explain("web").Summary, StringComparison.Ordinal);

        // Once the configs agree, the normal election applies again (preempt: the better priority takes it back).
        _membership.Peer("n0", MemberState.Alive, _membership.LastPublished.VipSetDigest, vips: ("web", true, 50, true));
        Assert.Equal(["web"], Node.Desired);
    }

    [Fact]
    public void Claims_HigherNamedPeerWithOtherVipSettingsHoldsIt_KeptAndReportedAfterTenSeconds()
    {
        Start(priority: 100);
        _membership.Peer("n2", MemberState.Alive, vipSetDigest: 42, vips: ("web", true, 50, true));

        Assert.Equal(["web"], Node.Desired);
        Assert.Empty(Node.DisagreeingPeers);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(["n2"], Node.DisagreeingPeers);

        _membership.Peer("n2", MemberState.Alive, _membership.LastPublished.VipSetDigest, vips: ("web", true, 50, false));
        Assert.Empty(Node.DisagreeingPeers);
    }

    [Fact]
    public void Election_TwoNodesDisagreeOnAllowedNodes_OneHolderOnly()
    {
        // n1 allows only itself; n2 allows everyone and ranks itself first: both elect themselves. The rule for nodes
        // whose settings differ leaves the VIP with the lower name, n1, and n2 lets it go.
        var m1 = new FakeMembership("n1");
        var m2 = new FakeMembership("n2");
        var options = new ClusterOptions(false, 2, Handover) { StartupGrace = TimeSpan.Zero };
        using var n1 = new ClusterNode("n1", options, m1, _time, null);
        using var n2 = new ClusterNode("n2", options, m2, _time, null);
        n1.DesiredChanged += held => n1.ReportHeld([.. held]);
        n2.DesiredChanged += held => n2.ReportHeld([.. held]);
        n1.SetVips([new VipSpec("web", true, TimeSpan.Zero, ["n1"])]);
        n2.SetVips([new VipSpec("web", true, TimeSpan.Zero, null)]);
        n1.SetLocalState(false, new Dictionary<string, LocalVipState> { ["web"] = new(true, 100) });
        n2.SetLocalState(false, new Dictionary<string, LocalVipState> { ["web"] = new(true, 200) });
        Assert.Equal(["web"], n1.Desired);
        Assert.Equal(["web"], n2.Desired); // each alone so far: both hold it

        for (var round = 0; round < 5; round++)
        {
            m2.Deliver("n1", m1.LastBytes!);
            m1.Deliver("n2", m2.LastBytes!);
        }

        Assert.Equal(["web"], n1.Desired);
        Assert.Empty(n2.Desired);
        Assert.Equal("n1", n2.Owners["web"]);
    }

    [Fact]
    public void LegacyPeer_ClaimsVip_LeftToItEvenWhenRankedLower()
    {
        Start(priority: 200);
        Assert.Equal(["web"], Node.Desired);

        // A vipd 0.1 node (record format 1) that holds "web": it cannot see our claim, so we yield to it.
        _membership.Deliver("n0", LegacyRecord(("web", true, 100, true)));

        Assert.Empty(Node.Desired);
        Assert.Contains("vipd 0.1", Node.Explain("web").Summary, StringComparison.Ordinal);
        Assert.Equal("n0", Node.Owners["web"]);

        // Once it is upgraded (format 2, no claim), the normal ranking applies again.
        _membership.Peer("n0", MemberState.Alive, vips: ("web", true, 100, false));
        Assert.Equal(["web"], Node.Desired);
    }

    [Fact]
    public void LegacyPeer_EligibleNotHolding_RankedByItsFormat1Entry()
    {
        Start(new VipSpec("web", true, TimeSpan.Zero, null), priority: 100);
        _membership.Deliver("n0", LegacyRecord(("web", true, 200, false)));

        Assert.Equal("n0", Node.Owners["web"]);
    }

    [Fact]
    public void StartupGrace_AloneInBiggerCluster_WaitsThenTakes()
    {
        _node = new ClusterNode("n1", new ClusterOptions(false, 3, Handover) { StartupGrace = TimeSpan.FromSeconds(2) }, _membership, _time, null);
        _node.SetVips([new VipSpec("web", false, TimeSpan.Zero, null)]);
        _node.SetLocalState(false, new Dictionary<string, LocalVipState> { ["web"] = new(true, 200) });
        Assert.Empty(_node.Desired);
        Assert.Contains("joining", _node.Explain("web").Summary, StringComparison.Ordinal);

        _time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(["web"], _node.Desired);
    }

    [Fact]
    public void StartupGrace_PeerClaimHeardDuringGrace_HolderKeepsIt()
    {
        _node = new ClusterNode("n1", new ClusterOptions(false, 3, Handover) { StartupGrace = TimeSpan.FromSeconds(2) }, _membership, _time, null);
        _node.SetVips([new VipSpec("web", false, TimeSpan.Zero, null)]);
        _node.SetLocalState(false, new Dictionary<string, LocalVipState> { ["web"] = new(true, 200) });
        _membership.Peer("n2", MemberState.Alive, vips: ("web", true, 100, true));

        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Empty(_node.Desired);
        Assert.Equal("n2", _node.Explain("web").Owner);
    }

    [Fact]
    public void StartupGrace_EveryExpectedNodeSeen_EndsAtOnce()
    {
        _membership.Peer("n2", MemberState.Alive, vips: ("web", true, 100, false));
        _node = new ClusterNode("n1", new ClusterOptions(false, 2, Handover) { StartupGrace = TimeSpan.FromSeconds(2) }, _membership, _time, null);
        _node.SetVips([new VipSpec("web", false, TimeSpan.Zero, null)]);
        _node.SetLocalState(false, new Dictionary<string, LocalVipState> { ["web"] = new(true, 200) });

        Assert.Equal(["web"], _node.Desired);
    }

    [Fact]
    public void SetLocalState_Unchanged_NotRepublished()
    {
        Start();
        var published = _membership.Published.Count;

        Node.SetLocalState(false, new Dictionary<string, LocalVipState> { ["web"] = new(true, 100) });
        Node.ReportHeld(["web"]);
        Assert.Equal(published, _membership.Published.Count);

        Node.SetLocalState(false, new Dictionary<string, LocalVipState> { ["web"] = new(true, 101) });
        Assert.Equal(published + 1, _membership.Published.Count);
        Assert.Equal(_membership.Published[^2].Version + 1, _membership.LastPublished.Version);
    }

    [Fact]
    public void Ctor_NoExpectedNodes_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClusterNode("n1", new ClusterOptions(true, 0, Handover), _membership, _time, null));

    [Fact]
    public void Explain_UnknownVip_SaysSo()
    {
        Start();

        Assert.Equal("no owner: not a configured VIP", Node.Explain("db").Summary);
    }

    [Fact]
    public void Dispose_Unsubscribes()
    {
        Start();
        Node.Dispose();

        _membership.Peer("n2", MemberState.Alive, vips: ("web", true, 200, true));

        Assert.Equal(["web"], Node.Desired);
    }

    [Fact]
    public void DesiredChanged_ReportsEachNewSetOnce()
    {
        var sets = new List<IReadOnlySet<string>>();
        _node = new ClusterNode("n1", new ClusterOptions(false, 1, Handover) { StartupGrace = TimeSpan.Zero }, _membership, _time, null);
        _node.DesiredChanged += sets.Add;
        _node.SetVips([new VipSpec("web", false, TimeSpan.Zero, null)]);
        _node.SetLocalState(false, new Dictionary<string, LocalVipState> { ["web"] = new(true, 100) });
        _node.SetLocalState(false, new Dictionary<string, LocalVipState> { ["web"] = new(true, 100) });

        Assert.Equal(["web"], Assert.Single(sets));
    }

    private static (string A, string B) FindLegacyCollision()
    {
        var seen = new Dictionary<uint, string>();
        for (var i = 0; ; i++)
        {
            var name = $"vip-{i}";
            if (!seen.TryAdd(StableHash.VipId(name), name))
            {
                return (seen[StableHash.VipId(name)], name);
            }
        }
    }

    /// <summary>A vipd 0.1 record (format 1): [1][u32 version][flags][u16 n] n × [u32 id][u8 priority][u8 flags], ids ascending.</summary>
    private static byte[] LegacyRecord(params (string Vip, bool Eligible, int Priority, bool Holding)[] vips)
    {
        var entries = vips.Select(v => (Id: StableHash.VipId(v.Vip), v.Eligible, v.Priority, v.Holding)).OrderBy(e => e.Id).ToArray();
        var bytes = new byte[8 + (6 * entries.Length)];
        bytes[0] = 1;
        bytes[4] = 1;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(6), (ushort)entries.Length);
        for (var i = 0; i < entries.Length; i++)
        {
            var span = bytes.AsSpan(8 + (6 * i));
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(span, entries[i].Id);
            span[4] = (byte)entries[i].Priority;
            span[5] = (byte)((entries[i].Eligible ? 1 : 0) | (entries[i].Holding ? 2 : 0));
        }

        return bytes;
    }
}
