using System.Diagnostics;
using System.Globalization;
using Vipd.Core.Election;
using Xunit.Abstractions;

namespace Vipd.Core.Tests.Simulation;

public class ClusterSimulationTests(ITestOutputHelper output)
{
    private static string Replay(int seed) =>
        string.Create(CultureInfo.InvariantCulture, $"VIPD_SEED={seed} dotnet test tests/Vipd.Core.Tests --filter FullyQualifiedName~ClusterSimulationTests");

    private static int? ReplaySeed =>
        int.TryParse(Environment.GetEnvironmentVariable("VIPD_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed) ? seed : null;

    private static int Runs(int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable("VIPD_SIM_RUNS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var runs) ? runs : fallback;

    [Fact]
    public void Chaos_SeededRuns_OneHolderPerVipAfterHealAndNoMinorityHolder()
    {
        var seeds = ReplaySeed is { } one ? [one] : Enumerable.Range(1, Runs(1500));
        var watch = Stopwatch.StartNew();
        var runs = 0;
        foreach (var seed in seeds)
        {
            var violation = ClusterSimScenario.Run(seed);
            Assert.True(violation is null, $"seed {seed}: {violation}\nreplay: {Replay(seed)}");
            runs++;
        }

        output.WriteLine($"{runs} chaos runs in {watch.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public void Chaos_100Nodes_Converges()
    {
        var seeds = ReplaySeed is { } one ? [one] : Enumerable.Range(100_001, 1);
        foreach (var seed in seeds)
        {
            var violation = ClusterSimScenario.Run(seed, nodeCount: 100, steps: 5);
            Assert.True(violation is null, $"seed {seed}: {violation}\nreplay: {Replay(seed)}");
        }
    }

    [Fact]
    public void Failover_CrashHolderNoLoss_SuccessorWithinDetectionBound()
    {
        var times = new List<double>();
        var seeds = ReplaySeed is { } one ? [one] : Enumerable.Range(1, 300);
        TimeSpan bound = default;
        foreach (var seed in seeds)
        {
            var random = new Random(seed);
            var n = random.Next(3, 11);
            var vips = Enumerable.Range(0, 4).Select(v => new VipSpec($"vip-{v}", random.Next(2) == 0, TimeSpan.Zero, null)).ToList();
            using var sim = new ClusterSimulation(seed, n, vips, random.Next(2) == 0, new ClusterSimOptions(), TimeSpan.FromSeconds(2));
            bound = sim.MinorityBound;
            foreach (var node in sim.Nodes)
            {
                foreach (var vip in vips)
                {
                    node.Vips[vip.Name] = new(true, 100);
                }

                sim.Start(node);
            }

            sim.Run(TimeSpan.FromSeconds(5 + random.NextDouble()));
            Assert.Null(sim.CheckConverged());
            var vipName = vips[random.Next(vips.Count)].Name;
            var holder = Assert.Single(sim.Holders(vipName));
            sim.Crash(holder);

            var took = sim.RunUntil(() => sim.Holders(vipName).Any(), TimeSpan.FromSeconds(30));

            Assert.True(took is not null && took <= bound,
                $"seed {seed}: failover took {took?.TotalMilliseconds} ms, bound {bound.TotalMilliseconds} ms\nreplay: {Replay(seed)}");
            times.Add(took!.Value.TotalMilliseconds);
            sim.Run(TimeSpan.FromSeconds(1));
            Assert.Null(sim.CheckConverged());
        }

        times.Sort();
        output.WriteLine($"failover over {times.Count} runs: min {times[0]:0} ms, median {times[times.Count / 2]:0} ms, p99 {times[(int)(times.Count * 0.99)]:0} ms, max {times[^1]:0} ms, bound {bound.TotalMilliseconds:0} ms");
    }

    [Fact]
    public void Partition_MinorityHoldsNothingMajorityElects()
    {
        var vips = new[] { new VipSpec("web", false, TimeSpan.Zero, null), new VipSpec("db", true, TimeSpan.Zero, null) };
        using var sim = new ClusterSimulation(7, 5, vips, quorum: true, new ClusterSimOptions(), TimeSpan.FromSeconds(2));
        foreach (var node in sim.Nodes)
        {
            node.Vips["web"] = new(true, node.Index == 0 ? 200 : 100);
            node.Vips["db"] = new(true, node.Index == 1 ? 200 : 100);
            sim.Start(node);
        }

        sim.Run(TimeSpan.FromSeconds(5));
        Assert.Equal(["node-00"], sim.Holders("web").Select(n => n.Name));
        Assert.Equal(["node-01"], sim.Holders("db").Select(n => n.Name));

        sim.Partition(new Dictionary<string, int> { ["node-00"] = 1, ["node-01"] = 1 });
        sim.Run(sim.MinorityBound + TimeSpan.FromSeconds(1));

        Assert.Null(sim.Violation);
        Assert.Empty(sim.Nodes[0].Held);
        Assert.Empty(sim.Nodes[1].Held);
        Assert.Single(sim.Holders("web"));
        Assert.Single(sim.Holders("db"));

        sim.Heal();
        sim.Run(TimeSpan.FromSeconds(2));
        Assert.Null(sim.CheckConverged());
        Assert.Equal(["node-01"], sim.Holders("db").Select(n => n.Name)); // preempt: back to the best-ranked
        Assert.NotEqual(["node-00"], sim.Holders("web").Select(n => n.Name)); // preempt off: stays where it went
    }

    [Fact]
    public void PlannedStop_SuccessorClaimsBeforeHolderReleases()
    {
        var vips = new[] { new VipSpec("web", false, TimeSpan.Zero, null) };
        using var sim = new ClusterSimulation(3, 3, vips, quorum: false, new ClusterSimOptions(), TimeSpan.FromSeconds(2));
        foreach (var node in sim.Nodes)
        {
            node.Vips["web"] = new(true, node.Index == 0 ? 200 : 100);
            sim.Start(node);
        }

        sim.Run(TimeSpan.FromSeconds(5));
        var holder = Assert.Single(sim.Holders("web"));
        sim.Stop(holder);

        var gap = false;
        var moved = sim.RunUntil(() =>
        {
            gap |= !sim.Holders("web").Any();
            return !holder.Up && sim.Holders("web").Any();
        }, TimeSpan.FromSeconds(5));

        Assert.NotNull(moved);
        Assert.False(gap);
        Assert.True(moved < TimeSpan.FromSeconds(1), $"handover took {moved}");
        Assert.Null(sim.CheckConverged());
    }
}
