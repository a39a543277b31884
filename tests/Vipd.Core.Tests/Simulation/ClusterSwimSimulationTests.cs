using System.Globalization;
using Vipd.Core.Election;
using Vipd.Core.Membership;
using Xunit.Abstractions;

namespace Vipd.Core.Tests.Simulation;

/// <summary>The cluster over the real SWIM membership and SimulatedNetwork (fewer seeds: each run steps 1 ms at a time).</summary>
public class ClusterSwimSimulationTests(ITestOutputHelper output)
{
    private static readonly int[] Priorities = [100, 150, 200];
    private static readonly TimeSpan Handover = TimeSpan.FromSeconds(2);

    /// <summary>Membership defaults, but push/pull every 3 s instead of 30 s: after a heal the sides merge by push/pull.</summary>
    private static readonly MembershipOptions ChaosMembership = MembershipOptions.Default with { PushPullInterval = TimeSpan.FromSeconds(3) };

    private static string Replay(int seed) =>
        string.Create(CultureInfo.InvariantCulture, $"VIPD_SEED={seed} dotnet test tests/Vipd.Core.Tests --filter FullyQualifiedName~ClusterSwimSimulationTests");

    /// <summary>1..count (VIPD_SWIM_RUNS overrides count for a longer soak), or only VIPD_SEED when set.</summary>
    private static IEnumerable<int> Seeds(int count) =>
        SimulationSeeds.Replay is { } one ? [one]
        : Enumerable.Range(1, int.TryParse(Environment.GetEnvironmentVariable("VIPD_SWIM_RUNS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var runs) ? runs : count);

    [Fact]
    public void Failover_CrashHolderDefaultMembership_SuccessorTakesOver()
    {
        var times = new List<double>();
        var bySize = new List<(int Nodes, double Ms)>();
        foreach (var seed in Seeds(80))
        {
            var random = new Random(seed);
            var n = random.Next(3, 11);
            var vips = Enumerable.Range(0, 3).Select(v => new VipSpec($"vip-{v}", random.Next(2) == 0, TimeSpan.Zero, null)).ToList();
            using var sim = new ClusterSwimSimulation(seed, n, vips, random.Next(2) == 0, Handover);
            foreach (var node in sim.Nodes)
            {
                foreach (var vip in vips)
                {
                    node.Vips[vip.Name] = new(true, 100);
                }

                sim.Start(node);
            }

            sim.Run(TimeSpan.FromSeconds(3 + random.NextDouble()));
            Assert.True(sim.CheckConverged() is null, $"seed {seed}: {sim.CheckConverged()}\n{sim.Describe()}\nreplay: {Replay(seed)}");
            var vipName = vips[random.Next(vips.Count)].Name;
            var holder = Assert.Single(sim.Holders(vipName));
            sim.Crash(holder);
            var start = sim.Now;

            sim.Run(TimeSpan.FromSeconds(10), () => sim.Holders(vipName).Any());

            var took = sim.Now - start;
            var bound = DetectionBound(sim.MembershipOptions, n);
            Assert.True(took <= bound && sim.Holders(vipName).Any(), $"seed {seed}: no successor after {took} (bound {bound})\n{sim.Describe()}\nreplay: {Replay(seed)}");
            times.Add(took.TotalMilliseconds);
            bySize.Add((n, took.TotalMilliseconds));
            sim.Run(TimeSpan.FromSeconds(1));
            Assert.True(sim.CheckConverged() is null, $"seed {seed}: {sim.CheckConverged()}\n{sim.Describe()}\nreplay: {Replay(seed)}");
        }

        times.Sort();
        output.WriteLine($"SWIM failover over {times.Count} runs (3-10 nodes, membership defaults): min {times[0]:0} ms, median {times[times.Count / 2]:0} ms, p99 {times[Math.Min(times.Count - 1, (int)(times.Count * 0.99))]:0} ms, max {times[^1]:0} ms");
        foreach (var group in bySize.GroupBy(x => x.Nodes == 3 ? "3 nodes" : x.Nodes <= 6 ? "4-6 nodes" : "7-10 nodes").OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var ms = group.Select(x => x.Ms).Order().ToList();
            output.WriteLine($"  {group.Key}: {ms.Count} runs, median {ms[ms.Count / 2]:0} ms, max {ms[^1]:0} ms");
        }

        Assert.True(times[times.Count / 2] < 1000, "median failover above 1 s");
    }

    /// <summary>
    /// Worst case to a successor's takeover: every other member probed once before the crashed one, a failed direct
    /// and indirect probe, the longest suspicion timeout (no confirmations), plus a margin for gossip and the step.
    /// </summary>
    private static TimeSpan DetectionBound(MembershipOptions o, int nodes) =>
        (o.ProbeInterval * nodes) + o.ProbeTimeout + o.IndirectProbeTimeout
        + (o.SuspicionMinimum * o.SuspicionMaximumMultiplier * Math.Max(1, Math.Log10(nodes))) + TimeSpan.FromMilliseconds(100);

    [Fact]
    public void PartitionHeal_QuorumOff_OneHolderStaysAndReannounces()
    {
        foreach (var seed in Seeds(5))
        {
            var vips = new[] { new VipSpec("vip-0", false, TimeSpan.Zero, null) };
            using var sim = new ClusterSwimSimulation(seed, 5, vips, quorum: false, Handover, ChaosMembership);
            foreach (var node in sim.Nodes)
            {
                node.Vips["vip-0"] = new(true, 100);
                sim.Start(node);
            }

            sim.Run(TimeSpan.FromSeconds(3));
            var holder = Assert.Single(sim.Holders("vip-0"));
            sim.Partition(sim.Nodes.ToDictionary(n => n.Name, n => n == holder ? 1 : 0));
            sim.Run(TimeSpan.FromSeconds(3));
            Assert.Equal(2, sim.Holders("vip-0").Count()); // without quorum both sides answer: the documented trade-off
            sim.Heal();
            var healed = sim.Now;

            sim.Run((ChaosMembership.PushPullInterval * 2) + TimeSpan.FromSeconds(1), () => sim.Holders("vip-0").Count() == 1);

            var winner = Assert.Single(sim.Holders("vip-0"));
            // The holder with the later takeover epoch wins; the other may yield before the winner even sees it alive
            // again. The winner announces again once it sees its claim, or sees the node it took the VIP from alive.
            sim.Run((ChaosMembership.PushPullInterval * 2) + TimeSpan.FromSeconds(1),
                () => sim.Reannounced.Any(r => r.At >= healed && r.Node == winner.Name && r.Vip == "vip-0"));
            Assert.Equal([winner], sim.Holders("vip-0"));
            Assert.Contains(sim.Reannounced, r => r.At >= healed && r.Node == winner.Name && r.Vip == "vip-0");
            output.WriteLine($"seed {seed}: one holder ({winner.Name}) {(sim.Now - healed).TotalSeconds:0.00} s after the heal (push/pull every {ChaosMembership.PushPullInterval.TotalSeconds} s)");
            sim.Run(TimeSpan.FromSeconds(1));
            Assert.True(sim.CheckConverged() is null, $"seed {seed}: {sim.CheckConverged()}\n{sim.Describe()}\nreplay: {Replay(seed)}");
        }
    }

    [Fact]
    public void Chaos_SeededRuns_OneHolderPerVipAfterHealAndNoMinorityHolder()
    {
        foreach (var seed in Seeds(40))
        {
            var violation = RunChaos(seed);
            Assert.True(violation is null, $"seed {seed}: {violation}\nreplay: {Replay(seed)}");
        }
    }

    private static string? RunChaos(int seed)
    {
        var random = new Random(seed);
        var n = random.Next(3, 8);
        var names = Enumerable.Range(0, n).Select(i => $"node-{i:D2}").ToArray();
        var vips = Enumerable.Range(0, random.Next(1, 5)).Select(v => new VipSpec(
            $"vip-{v}", random.Next(2) == 0, TimeSpan.FromSeconds(random.Next(0, 3)), random.Next(5) == 0 ? [.. names.Where(_ => random.Next(2) == 0)] : null)).ToList();
        var quorum = random.Next(2) == 0;
        using var sim = new ClusterSwimSimulation(seed, n, vips, quorum, Handover, ChaosMembership);
        foreach (var node in sim.Nodes)
        {
            foreach (var vip in vips)
            {
                node.Vips[vip.Name] = new(random.Next(8) > 0, Priorities[random.Next(Priorities.Length)]);
            }

            sim.Start(node);
        }

        sim.Run(TimeSpan.FromSeconds(3));
        var log = new List<string>();
        var steps = random.Next(3, 9);
        for (var step = 0; step < steps && sim.Violation is null; step++)
        {
            sim.Network.LossRate = random.Next(3) == 0 ? 0 : random.NextDouble() * 0.2;
            sim.Network.DuplicateRate = random.NextDouble() * 0.1;
            sim.Network.ReorderRate = random.NextDouble() * 0.1;
            var node = sim.Nodes[random.Next(n)];
            var vip = vips[random.Next(vips.Count)];
            var at = $"{sim.Now.TotalSeconds:0.00}s";
            switch (random.Next(8))
            {
                case 0:
                    sim.Crash(node);
                    log.Add($"{at} crash {node.Name}");
                    break;
                case 1:
                    var down = sim.Nodes.Where(x => x.Cluster is null).ToList();
                    if (down.Count > 0)
                    {
                        node = down[random.Next(down.Count)];
                        sim.Start(node);
                        log.Add($"{at} restart {node.Name}");
                    }

                    break;
                case 2:
                    var groups = names.ToDictionary(x => x, _ => random.Next(2));
                    sim.Partition(groups);
                    log.Add($"{at} partition {string.Join(" ", groups.Select(g => $"{g.Key}:{g.Value}"))}");
                    break;
                case 3:
                    sim.Heal();
                    log.Add($"{at} heal");
                    break;
                case 4:
                    var eligible = random.Next(3) > 0;
                    ClusterSwimSimulation.SetLocal(node, vip.Name, eligible, Priorities[random.Next(Priorities.Length)]);
                    log.Add($"{at} {node.Name} {vip.Name} eligible={eligible}");
                    break;
                case 5:
                    ClusterSwimSimulation.SetMaintenance(node, !node.Maintenance);
                    log.Add($"{at} {node.Name} maintenance={node.Maintenance}");
                    break;
                case 6:
                    sim.Stop(node);
                    log.Add($"{at} stop {node.Name}");
                    break;
                default:
                    log.Add($"{at} loss={sim.Network.LossRate:0.00}");
                    break;
            }

            sim.Run(TimeSpan.FromMilliseconds(random.Next(100, 3000)));
        }

        sim.Heal();
        sim.Network.LossRate = 0;
        sim.Network.DuplicateRate = 0;
        sim.Network.ReorderRate = 0;
        log.Add($"{sim.Now.TotalSeconds:0.00}s heal, no loss");

        // Merge through push/pull (two intervals), then detection, the longest preempt delay and the handover wait.
        sim.Run((ChaosMembership.PushPullInterval * 2) + TimeSpan.FromSeconds(2) + TimeSpan.FromSeconds(2) + Handover);
        var violation = sim.Violation ?? sim.CheckConverged();
        return violation is null
            ? null
            : $"{violation}\n  t={sim.Now.TotalSeconds:0.000}s quorum={quorum} vips=[{string.Join(", ", vips.Select(v => $"{v.Name} preempt={v.Preempt} delay={v.PreemptDelay.TotalSeconds}s allowed={(v.AllowedNodes is null ? "all" : string.Join("+", v.AllowedNodes))}"))}]\n  nodes: {sim.Describe()}\n  steps: {string.Join(" | ", log)}";
    }
}
