using System.Globalization;
using Vipd.Core.Tests.Simulation;

namespace Vipd.Benchmarks;

/// <summary>
/// Lean node records (format 3) at scale in the deterministic simulation (<see cref="LeanScaleRun"/>: real
/// SwimMembership + ClusterNode per node, virtual time, in-memory network, instant announcer; every node eligible
/// for every VIP; peers derive each other's standing from verdicts): settle time, idle gossip bytes/s per node (all
/// of it, metadata fragments included), record sizes, then one crash: time until every VIP has exactly one holder
/// among the survivors, and the bytes the survivors sent meanwhile. `VIPD_LEANSCALE=20x2000,100x10000` (nodes x VIPs,
/// the default). Simulated time, not wall time; the wall time is printed too. Exit 1 when a point did not converge
/// within 120 s of virtual time, a record was not lean, or a datagram exceeded 1400 bytes.
/// </summary>
internal static class LeanScaleBenchmark
{
    public static Task<int> RunAsync(BenchmarkOptions options)
    {
        var points = (Environment.GetEnvironmentVariable("VIPD_LEANSCALE") ?? "20x2000,100x10000")
            .Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('x'))
            .Select(p => (Nodes: int.Parse(p[0], CultureInfo.InvariantCulture), Vips: int.Parse(p[1], CultureInfo.InvariantCulture)))
            .ToArray();
        var table = new BenchmarkTable("Lean node records at scale in the deterministic simulation (default profile, seed 1)", 1);
        table.Fact("method", "LeanScaleRun over ClusterSwimSimulation: one shared config, every node eligible for every VIP at priority 100, preempt on, lean records (verdicts + claims); settled = every VIP exactly one holder; after crash = the same among the survivors; bytes = UDP payload of every datagram");
        var failed = false;
        foreach (var (nodes, vips) in points)
        {
            var label = $"{nodes} nodes x {vips} VIPs";
            using var r = LeanScaleRun.Run(nodes, vips, 1, TimeSpan.FromSeconds(120), Console.Error.WriteLine);
            table.Fact($"{label}: settled after (virtual ms)", r.Settled is { } s ? Ms(s) : "not within 120 s");
            table.Fact($"{label}: idle bytes/s sent per node", r.IdleBytesPerSecondPerNode.ToString("0", CultureInfo.InvariantCulture));
            table.Fact($"{label}: node record (bytes, smallest..largest)", $"{r.SmallestRecord}..{r.LargestRecord} (claims up to {r.MostClaims}, {r.Verdicts} verdicts; all lean: {r.AllLean})");
            table.Fact($"{label}: one holder each after a crash (virtual ms)", r.ConvergedAfterCrash is { } c ? Ms(c) : "not within 120 s");
            table.Fact($"{label}: bytes sent by all survivors from the crash to one holder each", r.BytesAfterCrash.ToString(CultureInfo.InvariantCulture));
            table.Fact($"{label}: largest record after the crash (bytes)", r.LargestRecordAfterCrash.ToString(CultureInfo.InvariantCulture));
            table.Fact($"{label}: largest datagram (bytes)", r.LargestDatagram.ToString(CultureInfo.InvariantCulture));
            table.Fact($"{label}: views agree, owner holds each VIP (every VIP up to 2,000, else 1,000 sampled)", r.Violation ?? "yes");
            table.Fact($"{label}: bytes/s per survivor from the crash to one holder each", r.BytesPerSecondPerSurvivorAfterCrash.ToString("0", CultureInfo.InvariantCulture));
            table.Fact($"{label}: wall time (s)", r.Wall.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture));
            failed |= r.Settled is null || r.ConvergedAfterCrash is null || !r.AllLean || !r.AllLeanAfterCrash || r.LargestDatagram > 1400 || r.Violation is not null;
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

    private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);
}
