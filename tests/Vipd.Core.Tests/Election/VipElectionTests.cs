using Vipd.Core.Election;

namespace Vipd.Core.Tests.Election;

public class VipElectionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly VipSpec Sticky = new("web", Preempt: false, TimeSpan.Zero, null);

    private static ElectionCandidate Node(string name, int priority = 100, bool live = true, bool eligible = true,
        bool holding = false, bool maintenance = false, bool draining = false, DateTimeOffset? since = null, uint epoch = 0) =>
        new(name, live, maintenance, draining, eligible, priority, holding, since, epoch);

    private static VipExplanation Elect(VipSpec vip, params ElectionCandidate[] candidates) =>
        VipElection.Elect(vip, candidates, Now, QuorumState.Off);

    [Fact]
    public void Elect_HigherPriority_Wins()
    {
        var result = Elect(Sticky, Node("n1", 100), Node("n2", 200), Node("n3", 150));

        Assert.Equal("n2", result.Owner);
        Assert.Equal(["n2", "n3", "n1"], result.Candidates.Select(c => c.Node));
        Assert.Equal("rank 1: priority 200, eligible; owner", result.Candidates[0].Reason);
        Assert.Equal("rank 2: priority 150, eligible", result.Candidates[1].Reason);
        Assert.Equal("n2 owns it: rank 1", result.Summary);
    }

    [Fact]
    public void Elect_EqualPriority_RendezvousHashDecides()
    {
        // Rendezvous("web", "n2") = 0xf4b9... > Rendezvous("web", "n1") = 0x175f... (StableHashTests).
        var result = Elect(Sticky, Node("n1"), Node("n2"));

        Assert.Equal("n2", result.Owner);
    }

    [Theory]
    [InlineData("dead")]
    [InlineData("in maintenance")]
    [InlineData("draining")]
    [InlineData("not in allowed nodes")]
    [InlineData("not ready for this VIP")]
    public void Elect_IneligibleBest_IsSkippedWithReason(string reason)
    {
        var best = Node("n9", 250, live: reason != "dead", maintenance: reason == "in maintenance",
            draining: reason == "draining", eligible: reason != "not ready for this VIP");
        var vip = Sticky with { AllowedNodes = reason == "not in allowed nodes" ? ["n1"] : null };

        var result = Elect(vip, best, Node("n1", 100));

        Assert.Equal("n1", result.Owner);
        var verdict = Assert.Single(result.Candidates, c => c.Node == "n9");
        Assert.Equal(0, verdict.Rank);
        Assert.Equal("not eligible: " + reason, verdict.Reason);
    }

    [Fact]
    public void Elect_DeadTakesPrecedenceOverOtherReasons()
    {
        var result = Elect(Sticky, Node("n1", live: false, maintenance: true, eligible: false));

        Assert.Null(result.Owner);
        Assert.Equal("not eligible: dead", result.Candidates[0].Reason);
        Assert.Equal("no owner: no eligible node", result.Summary);
    }

    [Fact]
    public void Elect_NoCandidates_NoOwner() => Assert.Null(Elect(Sticky).Owner);

    [Fact]
    public void Elect_PreemptOff_EligibleHolderKeepsIt()
    {
        var result = Elect(Sticky, Node("n1", 100, holding: true), Node("n2", 200));

        Assert.Equal("n1", result.Owner);
        Assert.Contains("owner (keeps it: preempt off)", result.Candidates[1].Reason);
    }

    [Fact]
    public void Elect_PreemptOff_IneligibleHolderLosesIt()
    {
        var result = Elect(Sticky, Node("n1", 100, holding: true, eligible: false), Node("n2", 50));

        Assert.Equal("n2", result.Owner);
    }

    [Fact]
    public void Elect_SeveralHolders_BestRankedHolderWins()
    {
        var result = Elect(Sticky, Node("n1", 100, holding: true), Node("n2", 150, holding: true), Node("n3", 200));

        Assert.Equal("n2", result.Owner);
    }

    [Fact]
    public void Elect_SeveralHolders_LatestTakeoverWinsOverRank()
    {
        // n2 took over (epoch 8) from n1 (epoch 7), which then woke from a freeze still holding it: the stale claim yields.
        var result = Elect(Sticky, Node("n1", 200, holding: true, epoch: 7), Node("n2", 100, holding: true, epoch: 8), Node("n3", 300));

        Assert.Equal("n2", result.Owner);
        Assert.Contains("holding (epoch 8)", result.Candidates.Single(c => c.Node == "n2").Reason, StringComparison.Ordinal);
        Assert.Equal("n2", Elect(Sticky, Node("n2", 100, holding: true, epoch: 8), Node("n1", 200, holding: true, epoch: 7)).Owner);
    }

    [Fact]
    public void Elect_SeveralHoldersEqualEpoch_BestRankedHolderWins() =>
        Assert.Equal("n1", Elect(Sticky, Node("n1", 200, holding: true, epoch: 3), Node("n2", 100, holding: true, epoch: 3)).Owner);

    [Fact]
    public void Elect_SeveralHoldersPreempt_StaleBetterRankedHolderKeepsItOnlyOnceItsDelayIsOver()
    {
        var vip = Sticky with { Preempt = true, PreemptDelay = TimeSpan.FromSeconds(10) };

        // Eligible again only just now: the latest taker keeps it until n1's preempt delay has passed.
        var waiting = Elect(vip, Node("n1", 200, holding: true, since: Now, epoch: 7), Node("n2", 100, holding: true, epoch: 8));
        var ready = Elect(vip, Node("n1", 200, holding: true, since: Now - TimeSpan.FromSeconds(11), epoch: 7), Node("n2", 100, holding: true, epoch: 8));

        Assert.Equal("n2", waiting.Owner);
        Assert.Equal(Now + TimeSpan.FromSeconds(10), waiting.ReconsiderAt);
        Assert.Equal("n1", ready.Owner);
    }

    [Fact]
    public void Elect_PreemptNoDelay_BetterNodeTakesOver()
    {
        var vip = Sticky with { Preempt = true };

        Assert.Equal("n2", Elect(vip, Node("n1", 100, holding: true), Node("n2", 200, since: Now)).Owner);
    }

    [Fact]
    public void Elect_PreemptDelayNotElapsed_HolderKeepsItUntilThen()
    {
        var vip = new VipSpec("web", true, TimeSpan.FromSeconds(30), null);
        var since = Now - TimeSpan.FromSeconds(10);

        var result = Elect(vip, Node("n1", 100, holding: true, since: Now - TimeSpan.FromHours(1)), Node("n2", 200, since: since));

        Assert.Equal("n1", result.Owner);
        Assert.Equal(since + TimeSpan.FromSeconds(30), result.ReconsiderAt);
        Assert.Equal("rank 1: priority 200, eligible; preempts in 20 s", result.Candidates[0].Reason);
    }

    [Fact]
    public void Elect_PreemptDelayElapsed_BetterNodeTakesOver()
    {
        var vip = new VipSpec("web", true, TimeSpan.FromSeconds(30), null);

        var result = Elect(vip, Node("n1", 100, holding: true), Node("n2", 200, since: Now - TimeSpan.FromSeconds(30)));

        Assert.Equal("n2", result.Owner);
        Assert.Null(result.ReconsiderAt);
    }

    [Fact]
    public void Elect_PreemptDelay_SecondBestThatWaitedLongEnoughTakesOver()
    {
        var vip = new VipSpec("web", true, TimeSpan.FromSeconds(30), null);

        var result = Elect(vip,
            Node("n1", 100, holding: true),
            Node("n2", 200, since: Now - TimeSpan.FromSeconds(40)),
            Node("n3", 250, since: Now - TimeSpan.FromSeconds(5)));

        Assert.Equal("n2", result.Owner);
        Assert.Equal(Now + TimeSpan.FromSeconds(25), result.ReconsiderAt);
    }

    [Fact]
    public void Elect_PreemptDelayNoHolder_BestTakesItAtOnce()
    {
        var vip = new VipSpec("web", true, TimeSpan.FromSeconds(30), null);

        Assert.Equal("n2", Elect(vip, Node("n1", 100, since: Now), Node("n2", 200, since: Now)).Owner);
    }

    [Fact]
    public void Elect_QuorumLost_NoOwnerButRankingKept()
    {
        var result = VipElection.Elect(Sticky, [Node("n1")], Now, new QuorumState(true, 1, 3));

        Assert.Null(result.Owner);
        Assert.Equal("no owner: no quorum (1 of 3 nodes live, 2 needed)", result.Summary);
        Assert.Equal("rank 1: priority 100, eligible", result.Candidates[0].Reason);
    }

    [Theory]
    [InlineData(1, 1, true)]
    [InlineData(3, 2, true)]
    [InlineData(3, 1, false)]
    [InlineData(4, 2, false)]
    [InlineData(4, 3, true)]
    [InlineData(5, 3, true)]
    public void HasQuorum_StrictMajority(int expected, int live, bool has) =>
        Assert.Equal(has, new QuorumState(true, live, expected).HasQuorum);

    [Fact]
    public void Elect_SameViewAnyOrder_SameOwner()
    {
        for (var seed = 0; seed < 2000; seed++)
        {
            var random = new Random(seed);
            var vip = new VipSpec($"vip{seed}", random.Next(2) == 0, TimeSpan.FromSeconds(random.Next(0, 3) * 10), random.Next(4) == 0 ? ["n0", "n1", "n2"] : null);
            var candidates = Enumerable.Range(0, random.Next(0, 12)).Select(i => Node(
                $"n{i}",
                priority: random.Next(0, 3) * 100,
                live: random.Next(5) > 0,
                eligible: random.Next(5) > 0,
                holding: random.Next(4) == 0,
                maintenance: random.Next(10) == 0,
                since: Now - TimeSpan.FromSeconds(random.Next(0, 40)))).ToArray();

            var reference = Elect(vip, candidates);
            for (var shuffle = 0; shuffle < 5; shuffle++)
            {
                random.Shuffle(candidates);
                var other = Elect(vip, candidates);
                Assert.Equal(reference.Owner, other.Owner);
                Assert.Equal(reference.Candidates, other.Candidates);
            }

            if (reference.Owner is { } owner)
            {
                Assert.Null(VipElection.IneligibleReason(vip, candidates.Single(c => c.Name == owner)));
            }
            else
            {
                Assert.All(candidates, c => Assert.NotNull(VipElection.IneligibleReason(vip, c)));
            }
        }
    }

    [Fact]
    public void Elect_1000VipsOver10EqualNodes_SpreadEvenly()
    {
        var nodes = Enumerable.Range(1, 10).Select(i => Node($"node-{i}")).ToArray();
        var counts = nodes.ToDictionary(n => n.Name, _ => 0);
        for (var v = 0; v < 1000; v++)
        {
            counts[Elect(Sticky with { Name = $"vip-{v}" }, nodes).Owner!]++;
        }

        Assert.All(counts.Values, c => Assert.InRange(c, 70, 130));
    }

    [Fact]
    public void Elect_NodeRemoved_OnlyItsVipsMove()
    {
        var nodes = Enumerable.Range(1, 10).Select(i => Node($"node-{i}")).ToArray();
        var survivors = nodes.Where(n => n.Name != "node-3").ToArray();
        for (var v = 0; v < 1000; v++)
        {
            var vip = Sticky with { Name = $"vip-{v}" };
            var before = Elect(vip, nodes).Owner;
            var after = Elect(vip, survivors).Owner;
            if (before != "node-3")
            {
                Assert.Equal(before, after);
            }
        }
    }
}
