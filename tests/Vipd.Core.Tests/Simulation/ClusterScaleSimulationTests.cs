using System.Diagnostics;
using System.Globalization;
using Vipd.Core.Election;
using Vipd.Core.Membership;
using Xunit.Abstractions;

namespace Vipd.Core.Tests.Simulation;

/// <summary>
/// Many VIPs per node (issue 10) over the real SWIM membership and ClusterNode: N nodes, V VIPs, every node eligible
/// for every VIP at the same priority, so the rendezvous hash spreads them. Each node's record then lists more VIPs
/// than the 84 a 512-byte record holds; peers must still see every claim and every eligibility, or two nodes hold one
/// VIP. The held set of a node is its Desired set (the harness's announcer is instant); a crash detaches the node
/// from the network. Checked: one agreed holder per VIP after settling (and a spread), among the survivors of a
/// crash, in the majority of a partition (the minority holds none) and after the heal; no datagram over 1400 bytes.
/// (10 nodes, 1000 VIPs) took tens of seconds before elections became incremental (about a second each now) and runs
/// as <c>Category=Scale</c>: leave it out with
/// <c>--filter "FullyQualifiedName~ClusterScale&amp;Category!=Scale"</c>.
/// </summary>
public class ClusterScaleSimulationTests(ITestOutputHelper output)
{
    private const int MaxDatagram = 1400;
    private static readonly TimeSpan Handover = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);

    /// <summary>Membership defaults, but push/pull every 3 s instead of 30 s: after a heal the sides merge by push/pull.</summary>
    private static readonly MembershipOptions Membership = MembershipOptions.Default with { PushPullInterval = TimeSpan.FromSeconds(3) };

    /// <summary>
    /// (nodes, VIPs, seed), three seeds each (or only VIPD_SEED): 3 nodes with 200 and 400 VIPs; 3 nodes with 60 and
    /// 10 nodes with 80, below the 84 VIPs a 512-byte record holds, check the harness and these invariants themselves.
    /// </summary>
    public static TheoryData<int, int, int> Sizes => Cases(3, (3, 60), (3, 200), (3, 400), (10, 80));

    /// <summary>(nodes, VIPs, seed): 10 nodes with 1000 VIPs, two seeds (or only VIPD_SEED); tens of seconds each.</summary>
    public static TheoryData<int, int, int> ScaleSizes => Cases(2, (10, 1000));

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Settle_ManyVipsEqualPriority_EveryVipOneHolderAndSpread(int nodes, int vips, int seed) => RunSettle(nodes, vips, seed);

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Crash_ManyVipsOneNodeDown_EveryVipOneHolderAmongSurvivors(int nodes, int vips, int seed) => RunCrash(nodes, vips, seed);

    [Theory]
    [MemberData(nameof(Sizes))]
    public void PartitionHeal_ManyVipsMinorityCut_MajorityHoldsEachOnceThenOneHolderAfterHeal(int nodes, int vips, int seed) => RunPartitionHeal(nodes, vips, seed);

    [Theory]
    [Trait("Category", "Scale")]
    [MemberData(nameof(ScaleSizes))]
    public void Settle_TenNodesThousandVips_EveryVipOneHolderAndSpread(int nodes, int vips, int seed) => RunSettle(nodes, vips, seed);

    [Theory]
    [Trait("Category", "Scale")]
    [MemberData(nameof(ScaleSizes))]
    public void Crash_TenNodesThousandVipsOneDown_EveryVipOneHolderAmongSurvivors(int nodes, int vips, int seed) => RunCrash(nodes, vips, seed);

    [Theory]
    [Trait("Category", "Scale")]
    [MemberData(nameof(ScaleSizes))]
    public void PartitionHeal_TenNodesThousandVipsMinorityCut_MajorityHoldsEachOnceThenOneHolderAfterHeal(int nodes, int vips, int seed) => RunPartitionHeal(nodes, vips, seed);

    private static TheoryData<int, int, int> Cases(int seeds, params (int Nodes, int Vips)[] sizes)
    {
        var data = new TheoryData<int, int, int>();
        foreach (var (n, v) in sizes)
        {
            foreach (var seed in SimulationSeeds.Replay is { } one ? [one] : Enumerable.Range(1, seeds))
            {
                data.Add(n, v, seed);
            }
        }

        return data;
    }

    private static string Replay(int seed) =>
        string.Create(CultureInfo.InvariantCulture, $"VIPD_SEED={seed} dotnet test tests/Vipd.Core.Tests -c Release --filter FullyQualifiedName~ClusterScaleSimulationTests");

    /// <summary>
    /// Worst case to a successor's takeover (as in ClusterSwimSimulationTests): every other member probed once before
    /// the crashed one, a failed direct and indirect probe, the longest suspicion timeout, plus a margin.
    /// </summary>
    private static TimeSpan DetectionBound(MembershipOptions o, int nodes) =>
        (o.ProbeInterval * nodes) + o.ProbeTimeout + o.IndirectProbeTimeout
        + (o.SuspicionMinimum * o.SuspicionMaximumMultiplier * Math.Max(1, Math.Log10(nodes))) + TimeSpan.FromMilliseconds(100);

    /// <summary>V VIPs (preempt on or off per VIP, by seed), every node eligible for all at priority 100, all started.</summary>
    private static ClusterSwimSimulation Create(int nodes, int vips, int seed, bool quorum)
    {
        var random = new Random(seed);
        var specs = Enumerable.Range(0, vips).Select(v => new VipSpec($"vip-{seed}-{v:D4}", random.Next(2) == 0, TimeSpan.Zero, null)).ToList();
        var sim = new ClusterSwimSimulation(seed, nodes, specs, quorum, Handover, Membership);
        foreach (var node in sim.Nodes)
        {
            foreach (var vip in specs)
            {
                node.Vips[vip.Name] = new(true, 100);
            }

            sim.Start(node);
        }

        return sim;
    }

    private void RunSettle(int nodes, int vips, int seed)
    {
        var clock = Stopwatch.StartNew();
        using var sim = Create(nodes, vips, seed, quorum: seed % 2 == 0);

        sim.Run(Settle);

        var survey = ScaleSurvey.Take(sim, sim.Nodes);
        Report(sim, clock, $"settled after {Settle.TotalSeconds:0} s: {survey}");
        AssertOneHolderEach(sim, survey, "after settling");
        // Equal priorities: the rendezvous hash gives each node Binomial(V, 1/N) of the preempting VIPs; five standard
        // deviations below the mean fails for a skewed spread (no bound when that is below one), practically never by chance. VIPs with
        // preempt off stay with whichever node took them first while the nodes were starting, so they are not counted.
        var preempting = sim.Vips.Where(v => v.Preempt).Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        var mean = (double)preempting.Count / nodes;
        var least = Math.Max(0, (int)Math.Floor(mean - (5 * Math.Sqrt(mean * (1 - (1.0 / nodes))))));
        var fewest = sim.Nodes.Min(n => n.Cluster!.Desired.Count(preempting.Contains));
        Assert.True(fewest >= least, $"seed {seed}: holders not spread (a node holds {fewest} of {preempting.Count} preempting VIPs, expected at least {least}): {survey}\nreplay: {Replay(seed)}");
        AssertConverged(sim, "after settling");
        AssertDatagrams(sim);
    }

    private void RunCrash(int nodes, int vips, int seed)
    {
        var clock = Stopwatch.StartNew();
        using var sim = Create(nodes, vips, seed, quorum: seed % 2 == 0);
        sim.Run(Settle);
        var settled = ScaleSurvey.Take(sim, sim.Nodes);
        var victim = sim.Nodes[sim.Random.Next(nodes)];

        sim.Crash(victim);
        var window = DetectionBound(sim.MembershipOptions, nodes) + TimeSpan.FromSeconds(1);
        sim.Run(window);

        var survivors = sim.Nodes.Where(n => n != victim).ToList();
        var survey = ScaleSurvey.Take(sim, survivors);
        Report(sim, clock, $"settled: {settled}\n  {window.TotalSeconds:0.0} s after crashing {victim.Name}: {survey}");
        AssertOneHolderEach(sim, survey, $"after crashing {victim.Name} (held when settled: {settled})");
        AssertConverged(sim, $"after crashing {victim.Name}");
        AssertDatagrams(sim);
    }

    private void RunPartitionHeal(int nodes, int vips, int seed)
    {
        var clock = Stopwatch.StartNew();
        using var sim = Create(nodes, vips, seed, quorum: true);
        sim.Run(Settle);
        var settled = ScaleSurvey.Take(sim, sim.Nodes);

        // A minority of 1..(n-1)/2 nodes is cut off: it loses the quorum and lets go, the majority takes over.
        var minority = sim.Nodes.OrderBy(_ => sim.Random.Next()).Take(sim.Random.Next(1, ((nodes - 1) / 2) + 1)).ToHashSet();
        sim.Partition(sim.Nodes.ToDictionary(n => n.Name, n => minority.Contains(n) ? 1 : 0));
        var cut = DetectionBound(sim.MembershipOptions, nodes) + TimeSpan.FromSeconds(2);
        sim.Run(cut);

        var majority = sim.Nodes.Where(n => !minority.Contains(n)).ToList();
        var split = ScaleSurvey.Take(sim, majority);
        var minorityHeld = minority.Sum(n => n.Cluster!.Desired.Count);
        Report(sim, clock, $"settled: {settled}\n  {cut.TotalSeconds:0.0} s after cutting off {string.Join("+", minority.Select(n => n.Name))}: majority {split}; minority holds {minorityHeld}");
        AssertOneHolderEach(sim, split, $"in the majority {cut.TotalSeconds:0.0} s after cutting off {string.Join("+", minority.Select(n => n.Name))}");
        Assert.True(minorityHeld == 0 && sim.Violation is null, $"seed {sim.Seed}: the minority still holds {minorityHeld} VIPs; {sim.Violation}\nreplay: {Replay(sim.Seed)}");

        sim.Heal();
        var merge = (Membership.PushPullInterval * 2) + DetectionBound(sim.MembershipOptions, nodes) + Handover + TimeSpan.FromSeconds(1);
        sim.Run(merge);

        var healed = ScaleSurvey.Take(sim, sim.Nodes);
        Report(sim, clock, $"  {merge.TotalSeconds:0.0} s after the heal: {healed}");
        AssertOneHolderEach(sim, healed, "after the heal");
        Assert.True(sim.Violation is null, $"seed {sim.Seed}: {sim.Violation}\nreplay: {Replay(sim.Seed)}");
        AssertConverged(sim, "after the heal");
        AssertDatagrams(sim);
    }

    private void Report(ClusterSwimSimulation sim, Stopwatch clock, string what) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{sim.Nodes.Count} nodes, {sim.Vips.Count} VIPs, seed {sim.Seed}, t={sim.Now.TotalSeconds:0.0} s virtual, {clock.Elapsed.TotalSeconds:0.00} s real, largest datagram {sim.Network.LargestDatagram} B: {what}"));

    private static void AssertOneHolderEach(ClusterSwimSimulation sim, ScaleSurvey survey, string when) =>
        Assert.True(survey.OneHolderEach, $"seed {sim.Seed}: not one holder per VIP {when}: {survey}\nreplay: {Replay(sim.Seed)}");

    private static void AssertConverged(ClusterSwimSimulation sim, string when)
    {
        var violation = sim.CheckConverged();
        Assert.True(violation is null, $"seed {sim.Seed}: {when}: {violation}\nreplay: {Replay(sim.Seed)}");
    }

    private static void AssertDatagrams(ClusterSwimSimulation sim) =>
        Assert.True(sim.Network.LargestDatagram <= MaxDatagram, $"seed {sim.Seed}: a {sim.Network.LargestDatagram}-byte datagram (limit {MaxDatagram})\nreplay: {Replay(sim.Seed)}");
}
