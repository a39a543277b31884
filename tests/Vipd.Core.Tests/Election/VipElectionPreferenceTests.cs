using Vipd.Core.Election;

namespace Vipd.Core.Tests.Election;

public class VipElectionPreferenceTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static ElectionCandidate Node(string name, int priority = 100, bool live = true, bool holding = false, DateTimeOffset? since = null) =>
        new(name, live, false, false, true, priority, holding, since);

    [Fact]
    public void Elect_PreferredEligible_RanksFirstOverHigherPriority()
    {
        var vip = new VipSpec("web", Preempt: true, TimeSpan.Zero, null) { PreferredNode = "n1" };

        var result = VipElection.Elect(vip, [Node("n1", 100), Node("n2", 200)], Now, QuorumState.Off);

        Assert.Equal("n1", result.Owner);
        Assert.Equal("rank 1: priority 100, eligible, preferred by move; owner", result.Candidates[0].Reason);
        Assert.Equal("n1 owns it: rank 1 (preferred by move)", result.Summary);
    }

    [Fact]
    public void Elect_PreferredWithStickyHolder_TakesOverAtOnce()
    {
        var vip = new VipSpec("web", Preempt: false, TimeSpan.FromMinutes(5), null) { PreferredNode = "n1" };
        var candidates = new[] { Node("n1", 100, since: Now), Node("n2", 200, holding: true) };

        Assert.Equal("n1", VipElection.ElectOwner(vip, candidates, Now, QuorumState.Off, out var reconsider));
        Assert.Null(reconsider);
    }

    [Fact]
    public void Elect_PreferredDead_NormalRankingWithNote()
    {
        var vip = new VipSpec("web", Preempt: true, TimeSpan.Zero, null) { PreferredNode = "n1" };

        var result = VipElection.Elect(vip, [Node("n1", 255, live: false), Node("n2", 100), Node("n3", 200)], Now, QuorumState.Off);

        Assert.Equal("n3", result.Owner);
        Assert.Equal("not eligible: dead (preferred by move; the normal ranking applies)", result.Candidates.Single(c => c.Node == "n1").Reason);
    }

    [Fact]
    public void Elect_PreferredNotAllowed_Ignored()
    {
        var vip = new VipSpec("web", Preempt: true, TimeSpan.Zero, ["n2"]) { PreferredNode = "n1" };

        Assert.Equal("n2", VipElection.ElectOwner(vip, [Node("n1"), Node("n2")], Now, QuorumState.Off, out _));
    }

    [Fact]
    public void ElectOwner_SameAsElect_WithPreferences()
    {
        var random = new Random(5);
        for (var i = 0; i < 200; i++)
        {
            var candidates = Enumerable.Range(0, 5).Select(n => new ElectionCandidate($"n{n}", random.Next(5) > 0, false, false,
                random.Next(4) > 0, random.Next(1, 4) * 50, random.Next(3) == 0, random.Next(2) == 0 ? null : Now.AddSeconds(-random.Next(60)))).ToArray();
            var vip = new VipSpec($"v{i}", random.Next(2) == 0, TimeSpan.FromSeconds(random.Next(0, 60)), null)
            {
                PreferredNode = random.Next(3) == 0 ? null : $"n{random.Next(6)}",
            };

            var owner = VipElection.ElectOwner(vip, candidates, Now, QuorumState.Off, out _);
            Assert.Equal(VipElection.Elect(vip, candidates, Now, QuorumState.Off).Owner, owner);
            if (vip.PreferredNode is { } preferred && Array.Find(candidates, c => c.Name == preferred) is { Live: true, Eligible: true })
            {
                Assert.Equal(preferred, owner);
            }
        }
    }
}
