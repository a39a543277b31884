using System.Diagnostics;
using System.Globalization;
using Vipd.Core.Membership;
using Vipd.Core.Tests.Simulation;

namespace Vipd.Benchmarks;

/// <summary>
/// The membership protocol in the deterministic simulation (fake clock, in-memory network, 1 ms hops): time until
/// every survivor marks a crashed node dead, and idle bytes sent per node per second, for growing cluster sizes.
/// `--nodes 10,100,1000` (default 10,100; the 1000-node point takes minutes of CPU). Simulated time, not wall time.
/// </summary>
internal static class SimulationBenchmark
{
    public static Task<int> RunAsync(BenchmarkOptions options)
    {
        if (Environment.GetEnvironmentVariable("VIPD_SIM_CANDIDATES") is { Length: > 0 } candidates)
        {
            return Task.FromResult(TimingSweep.Run(candidates));
        }

        var sizes = (Environment.GetEnvironmentVariable("VIPD_SIM_NODES") ?? "10,100")
            .Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture))
            .ToArray();
        var table = new BenchmarkTable("membership simulation (default profile)", options.Runs);
        table.Fact("method", "SwimMembership nodes on SimulatedNetwork with a FakeTimeProvider; detection = crash -> every survivor sees Dead; idle = bytes sent over 10 s after convergence");
        foreach (var n in sizes)
        {
            var wall = Stopwatch.StartNew();
            var detection = table.Get($"detection, {n} nodes");
            for (var run = 0; run < options.Runs; run++)
            {
                detection.Add(MeasureDetection(n, seed: run + 1).TotalMilliseconds);
            }

            table.Fact($"idle bytes/s sent per node, {n} nodes", MeasureIdleRate(n).ToString("0", CultureInfo.InvariantCulture));
            Console.Error.WriteLine($"{n} nodes done in {wall.Elapsed.TotalSeconds:0} s of wall time");
        }

        Console.WriteLine(table.Format());
        if (options.JsonPath is { } path)
        {
            using var file = File.Create(path);
            table.WriteJson(file);
            Console.Error.WriteLine($"wrote {path}");
        }

        return Task.FromResult(0);
    }

    private static TimeSpan MeasureDetection(int nodes, int seed)
    {
        using var cluster = new MembershipCluster(seed).AddNodes(nodes);
        cluster.StartAll();
        if (!cluster.RunUntil(() => cluster.Converged(), TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100)))
        {
            throw new InvalidOperationException($"{nodes} nodes did not converge (seed {seed})");
        }

        cluster.RunFor(TimeSpan.FromMilliseconds(300 + new Random(seed).Next(200)));
        var crashedAt = cluster.Elapsed;
        var victim = $"n{nodes}";
        cluster[victim].Crash();
        if (!cluster.RunUntil(() => cluster.AllSee(victim, MemberState.Dead), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(5)))
        {
            throw new InvalidOperationException($"{victim} not detected in 30 s (seed {seed})");
        }

        return cluster.Nodes.Where(x => x.Running).Max(x => x.FirstSeen[(victim, MemberState.Dead)]) - crashedAt;
    }

    private static double MeasureIdleRate(int nodes)
    {
        using var cluster = new MembershipCluster(1).AddNodes(nodes);
        cluster.StartAll();
        cluster.RunUntil(() => cluster.Converged(), TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100));
        cluster.RunFor(TimeSpan.FromSeconds(5));
        var before = cluster.Nodes.Sum(x => x.Membership.Traffic.BytesSent);
        var window = TimeSpan.FromSeconds(10);
        cluster.RunFor(window);
        return (cluster.Nodes.Sum(x => x.Membership.Traffic.BytesSent) - before) / window.TotalSeconds / nodes;
    }
}
