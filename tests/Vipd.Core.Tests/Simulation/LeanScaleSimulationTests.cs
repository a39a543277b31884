using System.Globalization;
using Vipd.Core.Checks;
using Vipd.Core.Cluster;
using Vipd.Core.Config;
using Vipd.Core.Election;
using Xunit.Abstractions;

namespace Vipd.Core.Tests.Simulation;

/// <summary>
/// Lean node records (format 3) at a scale that runs in seconds: 20 nodes, 2,000 VIPs, every node eligible for every
/// VIP, one crash. Every VIP has exactly one holder after settling and after the crash; every record is lean and its
/// size is the header, the verdicts and 8 bytes a claim — nothing per VIP it is merely eligible for. The full
/// 100 nodes x 10,000 VIPs is the <c>leanscale</c> benchmark (tests/Vipd.Benchmarks).
/// </summary>
public class LeanScaleSimulationTests(ITestOutputHelper output)
{
    [Fact]
    public void Crash_TwentyNodesTwoThousandVips_OneHolderEachAndRecordsIndependentOfVipCount()
    {
        using var result = LeanScaleRun.Run(20, 2_000, SimulationSeeds.Replay ?? 1, TimeSpan.FromSeconds(30), output.WriteLine);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"settled {result.Settled?.TotalMilliseconds} ms, idle {result.IdleBytesPerSecondPerNode:0} B/s per node, records {result.SmallestRecord}..{result.LargestRecord} B, most claims {result.MostClaims}, after crash {result.ConvergedAfterCrash?.TotalMilliseconds} ms, {result.BytesAfterCrash} B sent, wall {result.Wall.TotalSeconds:0.0} s"));

        Assert.NotNull(result.Settled);
        Assert.True(result.AllLean, "every node publishes a lean record once all digests agree");
        // No per-VIP eligibility in a record: header + verdicts + 4 + 8 bytes a claim, whatever the VIP count.
        Assert.True(result.LargestRecord <= NodeRecordCodec.GetLeanSize(result.Verdicts, result.MostClaims), $"record {result.LargestRecord} B");
        Assert.True(result.LargestRecord < 2_000, $"record {result.LargestRecord} B for 2,000 VIPs on 20 nodes (an explicit record would be ~20 KB)");
        Assert.NotNull(result.ConvergedAfterCrash);
        Assert.True(result.AllLeanAfterCrash);
        Assert.True(result.LargestRecordAfterCrash < 2_000, $"record after the crash {result.LargestRecordAfterCrash} B");
        Assert.True(result.LargestDatagram <= 1400, $"datagram {result.LargestDatagram} B");
        Assert.Equal(0, result.BadRecords);

        // Once the survivors' views have settled, they agree on every owner and the owner holds it.
        result.Simulation.Run(TimeSpan.FromSeconds(3));
        Assert.True(LeanScaleRun.OneHolderEach(result.Simulation, [.. result.Simulation.Nodes.Where(n => n.Cluster is not null)]));
        Assert.Null(result.Simulation.CheckConverged());
    }

    [Fact]
    public void ConfigsDiffer_OneNodeWithAnotherPriority_RecordsTurnExplicitAndItsPriorityWins()
    {
        // Keepalived style: node-04's file says priority 150, everyone else's 100. Neither side can derive the other
        // (standing digests differ), so after the 2 s grace every record lists its VIPs explicitly, and node-04,
        // best by its own published priority, holds every VIP (preempt on).
        var configs = LeanScaleRun.Vips(200);
        var shared = StandingModel.Build(configs, new Dictionary<string, CheckConfig>(StringComparer.Ordinal));
        var other = StandingModel.Build(configs.Select(v => v with { Priority = 150 }), new Dictionary<string, CheckConfig>(StringComparer.Ordinal));
        Assert.NotEqual(shared.Digest, other.Digest);
        var specs = configs.Select(v => new VipSpec(v.Name, true, TimeSpan.Zero, null)).ToList();
        using var sim = new ClusterSwimSimulation(SimulationSeeds.Replay ?? 3, 5, specs, quorum: false, ClusterOptions.DefaultHandoverTimeout);
        foreach (var node in sim.Nodes)
        {
            node.Model = node.Name == "node-04" ? other : shared;
            node.Verdicts = node.Model.VerdictsOf(new Dictionary<string, CheckStatus>(StringComparer.Ordinal), _ => LinkState.Up, BgpSessions.Established);
            sim.Start(node);
        }

        sim.Run(ClusterNode.StandingGrace + TimeSpan.FromSeconds(3));

        Assert.All(sim.Nodes, n => Assert.False(n.Cluster!.PublishesLean));
        Assert.True(LeanScaleRun.OneHolderEach(sim, sim.Nodes), sim.Describe());
        Assert.Equal(200, sim.Nodes.Single(n => n.Name == "node-04").Cluster!.Desired.Count);
        Assert.Null(sim.CheckConverged());
    }
}
