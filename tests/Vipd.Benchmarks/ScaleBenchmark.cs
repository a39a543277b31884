using System.Diagnostics;
using System.Globalization;
using Vipd.Core.Cluster;
using Vipd.Core.Election;
using Vipd.Core.Tests.Simulation;

namespace Vipd.Benchmarks;

/// <summary>
/// Many VIPs on many nodes in the deterministic simulation (real SwimMembership + ClusterNode per node, fake clock,
/// in-memory network, instant announcer): time from start until every VIP has exactly one holder, idle bytes sent per
/// node, the largest node record and datagram, and the time from one crash until every VIP has exactly one holder
/// among the survivors. `VIPD_SCALE=3x400,10x1000,10x10000` (nodes x VIPs; default 3x400,10x1000,30x3000).
/// Simulated time, not wall time; the wall time is printed too.
/// </summary>
internal static class ScaleBenchmark
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromMilliseconds(20);

    public static Task<int> RunAsync(BenchmarkOptions options)
    {
        var points = (Environment.GetEnvironmentVariable("VIPD_SCALE") ?? "3x400,10x1000,30x3000")
            .Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('x'))
            .Select(p => (Nodes: int.Parse(p[0], CultureInfo.InvariantCulture), Vips: int.Parse(p[1], CultureInfo.InvariantCulture)))
            .ToArray();
        var table = new BenchmarkTable("VIPs at scale in the deterministic simulation (default profile, seed 1)", 1);
        table.Fact("method", "ClusterSwimSimulation: every node eligible for every VIP at priority 100, preempt on; settled = every VIP exactly one holder; after crash = the same among the survivors");
        var failed = false;
        foreach (var (nodes, vips) in points)
        {
            var wall = Stopwatch.StartNew();
            var label = $"{nodes} nodes x {vips} VIPs";
            var specs = Enumerable.Range(0, vips).Select(v => new VipSpec($"vip-{v:D5}", true, TimeSpan.Zero, null)).ToList();
            using var sim = new ClusterSwimSimulation(1, nodes, specs, quorum: false, ClusterOptions.DefaultHandoverTimeout);
            foreach (var node in sim.Nodes)
            {
                foreach (var vip in specs)
                {
                    node.Vips[vip.Name] = new LocalVipState(true, 100);
                }

                sim.Start(node);
            }

            var settled = RunUntilOneHolderEach(sim, sim.Nodes, TimeSpan.FromSeconds(60));
            table.Fact($"{label}: settled after (virtual ms)", settled is { } s ? Ms(s) : "not within 60 s");
            sim.Run(TimeSpan.FromSeconds(3));
            var before = sim.Nodes.Sum(n => sim.Network.BytesSentBy(n.Endpoint));
            var incarnations = sim.Nodes.Sum(n => (long)n.Membership!.Incarnation);
            var window = TimeSpan.FromSeconds(10);
            sim.Run(window);
            table.Fact($"{label}: record publications (incarnation bumps) in the idle window", (sim.Nodes.Sum(n => (long)n.Membership!.Incarnation) - incarnations).ToString(CultureInfo.InvariantCulture));
            var idle = (sim.Nodes.Sum(n => sim.Network.BytesSentBy(n.Endpoint)) - before) / window.TotalSeconds / nodes;
            table.Fact($"{label}: idle bytes/s sent per node (UDP payload)", idle.ToString("0", CultureInfo.InvariantCulture));
            var record = sim.Nodes[0].Membership!.Members.Max(m => m.Metadata.Length);
            table.Fact($"{label}: largest node record (bytes)", record.ToString(CultureInfo.InvariantCulture));

            var victim = sim.Nodes[nodes / 2];
            sim.Crash(victim);
            var survivors = sim.Nodes.Where(n => n != victim).ToList();
            var converged = RunUntilOneHolderEach(sim, survivors, TimeSpan.FromSeconds(60));
            table.Fact($"{label}: one holder each after a crash (virtual ms)", converged is { } c ? Ms(c) : "not within 60 s");
            table.Fact($"{label}: largest datagram (bytes)", sim.Network.LargestDatagram.ToString(CultureInfo.InvariantCulture));
            table.Fact($"{label}: wall time (s)", wall.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture));
            failed |= settled is null || converged is null || sim.Network.LargestDatagram > 1400;
            Console.Error.WriteLine($"{label} done in {wall.Elapsed.TotalSeconds:0} s of wall time: settled {(settled is { } a ? Ms(a) : "never")} ms, idle {idle:0} B/s per node, record {record} B, one holder each {(converged is { } b ? Ms(b) : "never")} ms after a crash, largest datagram {sim.Network.LargestDatagram} B");
        }

        Console.WriteLine(table.Format());
        if (options.JsonPath is { } path)
        {
            using var file = File.Create(path);
            table.WriteJson(file);
            Console.Error.WriteLine($"wrote {path}");
        }

        return Task.FromResult(failed ? 1 : 0);
    }

    /// <summary>Runs until every VIP is in exactly one of <paramref name="among"/>'s desired sets; the virtual time it took, or null.</summary>
    private static TimeSpan? RunUntilOneHolderEach(ClusterSwimSimulation sim, IReadOnlyList<ClusterSwimSimulation.SwimNode> among, TimeSpan bound)
    {
        var start = sim.Now;
        while (sim.Now - start < bound)
        {
            sim.Run(CheckEvery);
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var node in among)
            {
                foreach (var vip in node.Cluster!.Desired)
                {
                    counts[vip] = counts.GetValueOrDefault(vip) + 1;
                }
            }

            if (counts.Count == sim.Vips.Count && counts.Values.All(c => c == 1))
            {
                return sim.Now - start;
            }
        }

        return null;
    }

    private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);
}
