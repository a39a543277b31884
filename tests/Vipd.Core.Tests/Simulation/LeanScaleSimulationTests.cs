using System.Globalization;
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
}
