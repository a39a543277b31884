using System.Globalization;
using Vipd.Core.Membership;
using Xunit.Abstractions;

namespace Vipd.Core.Tests.Simulation;

/// <summary>The performance targets, measured in virtual time over many seeds.</summary>
public sealed class MembershipPerformanceTests(ITestOutputHelper output)
{
    [Fact]
    public void Crash_DefaultProfileThreeNodes_MedianDetectionAtMost250Ms()
    {
        var median = MeasureDetection(MembershipOptions.Default, runs: 40, out var summary);
        output.WriteLine($"default profile: {summary}");
        Assert.True(median <= TimeSpan.FromMilliseconds(250), summary);
    }

    [Fact]
    public void Crash_FastProfileThreeNodes_MedianDetectionAtMost40Ms()
    {
        var median = MeasureDetection(MembershipOptions.Fast, runs: 40, out var summary);
        output.WriteLine($"fast profile: {summary}");
        Assert.True(median <= TimeSpan.FromMilliseconds(40), summary);
    }

    [Fact]
    public void Idle_DefaultProfileThreeNodes_SendsAtMost2KBPerSecondPerNode()
    {
        var seed = SimulationSeeds.Replay ?? 1;
        using var cluster = new MembershipCluster(seed).AddNodes(3);
        cluster.StartAll();
        Assert.True(cluster.RunUntil(() => cluster.Converged(), TimeSpan.FromSeconds(2)), cluster.Describe());
        cluster.RunFor(TimeSpan.FromSeconds(2));
        var before = cluster.Nodes.ToDictionary(n => n.Name, n => n.Membership.Traffic.BytesSent);
        var window = TimeSpan.FromSeconds(60);
        cluster.RunFor(window);
        foreach (var node in cluster.Nodes)
        {
            var rate = (node.Membership.Traffic.BytesSent - before[node.Name]) / window.TotalSeconds;
            output.WriteLine($"{node.Name}: {rate:F0} B/s sent");
            Assert.True(rate <= 2048, $"{node.Name} sends {rate:F0} B/s; {cluster.Describe()}");
        }
    }

    [Fact]
    public void Idle_TenToHundredNodes_BytesPerNodeStayFlat()
    {
        var small = MeasureIdleRate(10, TimeSpan.FromSeconds(40));
        var large = MeasureIdleRate(100, TimeSpan.FromSeconds(40));
        output.WriteLine($"idle bytes/s per node: 10 nodes {small:F0}, 100 nodes {large:F0}");
        Assert.InRange(large / small, 0.7, 1.3);
    }

    /// <summary>The 1000-node point: minutes of CPU, so only by hand: VIPD_SCALE_NODES=1000 dotnet test --filter Scale.</summary>
    [Fact]
    public void Idle_ScaleByHand_BytesPerNodeReported()
    {
        if (Environment.GetEnvironmentVariable("VIPD_SCALE_NODES") is not { Length: > 0 } text)
        {
            return;
        }

        foreach (var n in text.Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture)))
        {
            output.WriteLine($"{n} nodes: {MeasureIdleRate(n, TimeSpan.FromSeconds(20)):F0} B/s sent per node");
        }
    }

    private static double MeasureIdleRate(int nodes, TimeSpan window)
    {
        var seed = SimulationSeeds.Replay ?? 1;
        using var cluster = new MembershipCluster(seed).AddNodes(nodes);
        cluster.StartAll();
        Assert.True(cluster.RunUntil(() => cluster.Converged(), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100)), cluster.Describe());
        cluster.RunFor(TimeSpan.FromSeconds(2));
        var before = cluster.Nodes.Sum(n => n.Membership.Traffic.BytesSent);
        cluster.RunFor(window);
        var after = cluster.Nodes.Sum(n => n.Membership.Traffic.BytesSent);
        return (after - before) / window.TotalSeconds / nodes;
    }

    private static TimeSpan MeasureDetection(MembershipOptions options, int runs, out string summary)
    {
        var samples = new List<double>();
        var seeds = SimulationSeeds.Replay is { } replay ? [replay] : Enumerable.Range(1, runs);
        foreach (var seed in seeds)
        {
            using var cluster = new MembershipCluster(seed, options).AddNodes(3);
            cluster.StartAll();
            Assert.True(cluster.RunUntil(() => cluster.Converged(), TimeSpan.FromSeconds(2)), cluster.Describe());

            // Crash at a seeded, arbitrary phase of the probe cycle.
            cluster.RunFor(TimeSpan.FromMilliseconds(300 + new Random(seed).Next(200)));
            var crashedAt = cluster.Elapsed;
            cluster["n3"].Crash();
            Assert.True(cluster.RunUntil(() => cluster.AllSee("n3", MemberState.Dead), TimeSpan.FromSeconds(5)), cluster.Describe());
            foreach (var survivor in new[] { "n1", "n2" })
            {
                samples.Add((cluster[survivor].FirstSeen[("n3", MemberState.Dead)] - crashedAt).TotalMilliseconds);
            }
        }

        samples.Sort();
        var median = samples[samples.Count / 2];
        summary = string.Create(CultureInfo.InvariantCulture,
            $"dead at each survivor after crash: median {median:F1} ms, min {samples[0]:F1}, p90 {samples[(int)(samples.Count * 0.9)]:F1}, max {samples[^1]:F1} ({samples.Count} samples)");
        return TimeSpan.FromMilliseconds(median);
    }
}
