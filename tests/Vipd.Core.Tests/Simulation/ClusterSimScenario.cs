using Vipd.Core.Election;

namespace Vipd.Core.Tests.Simulation;

/// <summary>One seeded chaos run: a random cluster, random faults, then a heal and the convergence check.</summary>
internal static class ClusterSimScenario
{
    private static readonly int[] Priorities = [100, 150, 200];
    private static readonly TimeSpan Handover = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan[] PreemptDelays = [TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];

    /// <summary>Runs seed <paramref name="seed"/>; returns null, or the violation with the cluster's state.</summary>
    public static string? Run(int seed, int? nodeCount = null, int? steps = null)
    {
        var random = new Random(seed);
        var n = nodeCount ?? random.Next(3, 8);
        var names = Enumerable.Range(0, n).Select(i => $"node-{i:D2}").ToArray();
        var vips = Enumerable.Range(0, random.Next(1, 6)).Select(v => new VipSpec(
            $"vip-{v}",
            random.Next(2) == 0,
            PreemptDelays[random.Next(PreemptDelays.Length)],
            random.Next(5) == 0 ? [.. names.Where(_ => random.Next(2) == 0)] : null)).ToList();
        var quorum = random.Next(2) == 0;
        using var sim = new ClusterSimulation(seed, n, vips, quorum, new ClusterSimOptions(), Handover);
        foreach (var node in sim.Nodes)
        {
            foreach (var vip in vips)
            {
                node.Vips[vip.Name] = new(random.Next(8) > 0, Priorities[random.Next(Priorities.Length)]);
            }
        }

        foreach (var node in sim.Nodes)
        {
            sim.Start(node);
            sim.Run(TimeSpan.FromMilliseconds(random.Next(0, 3000 / n)));
        }

        sim.Run(TimeSpan.FromSeconds(5));
        var log = new List<string>();
        var count = steps ?? random.Next(4, 14);
        for (var step = 0; step < count && sim.Violation is null; step++)
        {
            sim.Network.Options.LossRate = random.Next(3) == 0 ? 0 : random.NextDouble() * 0.3;
            sim.Network.Options.DuplicateRate = random.NextDouble() * 0.1;
            var node = sim.Nodes[random.Next(n)];
            var vip = vips[random.Next(vips.Count)];
            switch (random.Next(9))
            {
                case 0:
                    sim.Crash(node);
                    log.Add($"{sim.Now.TotalSeconds:0.00}s crash {node.Name}");
                    break;
                case 1:
                    var down = sim.Nodes.Where(x => !x.Up).ToList();
                    if (down.Count > 0)
                    {
                        node = down[random.Next(down.Count)];
                        sim.Start(node);
                        log.Add($"{sim.Now.TotalSeconds:0.00}s restart {node.Name}");
                    }

                    break;
                case 2:
                    var groups = names.ToDictionary(x => x, _ => random.Next(2));
                    sim.Partition(groups);
                    log.Add($"{sim.Now.TotalSeconds:0.00}s partition {string.Join(" ", groups.Select(g => $"{g.Key}:{g.Value}"))}");
                    break;
                case 3:
                    sim.Heal();
                    log.Add($"{sim.Now.TotalSeconds:0.00}s heal");
                    break;
                case 4:
                case 5:
                    var eligible = random.Next(3) > 0;
                    ClusterSimulation.SetLocal(node, vip.Name, eligible, Priorities[random.Next(Priorities.Length)]);
                    log.Add($"{sim.Now.TotalSeconds:0.00}s {node.Name} {vip.Name} eligible={eligible}");
                    break;
                case 6:
                    ClusterSimulation.SetMaintenance(node, !node.Maintenance);
                    log.Add($"{sim.Now.TotalSeconds:0.00}s {node.Name} maintenance={node.Maintenance}");
                    break;
                case 7:
                    sim.Stop(node);
                    log.Add($"{sim.Now.TotalSeconds:0.00}s stop {node.Name}");
                    break;
                default:
                    log.Add($"{sim.Now.TotalSeconds:0.00}s loss={sim.Network.Options.LossRate:0.00}");
                    break;
            }

            sim.Run(TimeSpan.FromMilliseconds(random.Next(100, 4000)));
        }

        // Heal and go quiet: one detection window, plus the longest preempt delay and handover wait, plus a margin.
        sim.Heal();
        sim.Network.Options.LossRate = 0;
        sim.Network.Options.DuplicateRate = 0;
        log.Add($"{sim.Now.TotalSeconds:0.00}s heal, no loss");
        var window = sim.Network.Options.DeadAfter + sim.Network.Options.HeartbeatInterval + PreemptDelays[^1] + Handover + TimeSpan.FromSeconds(1);
        sim.Run(window);
        var violation = sim.Violation ?? sim.CheckConverged();
        return violation is null
            ? null
            : $"{violation}\n  at t={sim.Now.TotalSeconds:0.000}s, quorum={quorum}, vips=[{string.Join(", ", vips.Select(v => $"{v.Name} preempt={v.Preempt} delay={v.PreemptDelay.TotalSeconds}s allowed={(v.AllowedNodes is null ? "all" : string.Join("+", v.AllowedNodes))}"))}]\n  nodes: {sim.Describe()}\n  steps: {string.Join(" | ", log)}";
    }
}
