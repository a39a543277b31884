using System.Diagnostics;
using System.Net;
using Vipd.Core.Checks;
using Vipd.Core.Cluster;
using Vipd.Core.Config;
using Vipd.Core.Election;
using Vipd.Core.Membership;

namespace Vipd.Core.Tests.Simulation;

/// <summary>
/// Lean node records at scale (issue 10): N nodes and V VIPs over the real <see cref="SwimMembership"/> and
/// <see cref="ClusterNode"/> in virtual time (<see cref="ClusterSwimSimulation"/>, instant announcer). Every node has
/// the same config (every node eligible for every VIP on eth0 at priority 100, preempt on) and publishes lean records
/// (format 3: verdicts and claims); peers derive each other's standing with the shared <see cref="StandingModel"/>.
/// Measured: time from start until every VIP has exactly one holder and every node publishes a lean record, idle
/// bytes/s per node (every gossip byte, metadata fragments included), record sizes, then one crash: time until every
/// VIP has exactly one holder among the survivors again, and the bytes the survivors sent meanwhile. Shared by
/// <c>LeanScaleSimulationTests</c> and the <c>leanscale</c> benchmark.
/// </summary>
internal static class LeanScaleRun
{
    /// <summary>How often the one-holder condition is evaluated (virtual time).</summary>
    public static readonly TimeSpan CheckEvery = TimeSpan.FromMilliseconds(20);

    /// <summary>The VIPs of the shared config: IPv6 /128s from 2001:db8::/32 on eth0, priority 100, preempt on, no checks.</summary>
    public static List<VipConfig> Vips(int count) =>
    [
        .. Enumerable.Range(0, count).Select(i => new VipConfig
        {
            Name = $"vip-{i:D5}",
            Address = IPAddress.Parse($"2001:db8::{i / 65536:x}:{i % 65536:x}"),
            PrefixLength = 128,
            Interface = "eth0",
            Priority = 100,
            Priorities = [],
            Preempt = true,
            PreemptDelay = TimeSpan.Zero,
            Nodes = [],
            Checks = [],
            Announce = AnnounceConfig.Default,
        }),
    ];

    public static LeanScaleResult Run(int nodes, int vips, int seed, TimeSpan limit, Action<string>? progress = null)
    {
        var wall = Stopwatch.StartNew();
        var configs = Vips(vips);
        var model = StandingModel.Build(configs, new Dictionary<string, CheckConfig>(StringComparer.Ordinal));
        var verdicts = model.VerdictsOf(new Dictionary<string, CheckStatus>(StringComparer.Ordinal), _ => LinkState.Up, BgpSessions.Established);
        var specs = configs.Select(v => new VipSpec(v.Name, v.Preempt, v.PreemptDelay, null)).ToList();
        var sim = new ClusterSwimSimulation(seed, nodes, specs, quorum: false, ClusterOptions.DefaultHandoverTimeout);
        foreach (var node in sim.Nodes)
        {
            node.Model = model;
            node.Verdicts = verdicts;
            sim.Start(node);
        }

        var settled = RunUntil(sim, sim.Nodes, limit);
        progress?.Invoke($"{nodes} x {vips}: settled {(settled is { } st ? $"{st.TotalMilliseconds:0} ms" : "never")} ({wall.Elapsed.TotalSeconds:0} s wall)");
        sim.Run(TimeSpan.FromSeconds(3));
        var before = sim.Nodes.Sum(n => sim.Network.BytesSentBy(n.Endpoint));
        var window = TimeSpan.FromSeconds(10);
        sim.Run(window);
        var idle = (sim.Nodes.Sum(n => sim.Network.BytesSentBy(n.Endpoint)) - before) / window.TotalSeconds / nodes;
        var records = sim.Nodes.Select(n => n.Cluster!.PublishedRecordSize).ToList();
        var claims = sim.Nodes.Max(n => n.Cluster!.Desired.Count);
        var allLean = sim.Nodes.All(n => n.Cluster!.PublishesLean);
        progress?.Invoke($"{nodes} x {vips}: idle {idle:0} B/s per node, records {records.Min()}..{records.Max()} B ({wall.Elapsed.TotalSeconds:0} s wall)");

        var victim = sim.Nodes[nodes / 2];
        var survivors = sim.Nodes.Where(n => n != victim).ToList();
        var crashBefore = survivors.Sum(n => sim.Network.BytesSentBy(n.Endpoint));
        var crashedAt = sim.Now;
        sim.Crash(victim);
        var converged = RunUntil(sim, survivors, limit);
        var moved = survivors.Sum(n => sim.Network.BytesSentBy(n.Endpoint)) - crashBefore;
        var convergedAt = sim.Now - crashedAt;
        progress?.Invoke($"{nodes} x {vips}: one holder each {(converged is { } c ? $"{c.TotalMilliseconds:0} ms" : "never")} after the crash ({wall.Elapsed.TotalSeconds:0} s wall)");
        var after = survivors.Select(n => n.Cluster!.PublishedRecordSize).ToList();
        // Views agree on each owner, and the owner holds it: every VIP up to 2,000, else a sample of 1,000 (each check
        // explains the VIP on every node).
        var step = Math.Max(1, vips / 1_000);
        var violation = sim.CheckConverged(vips <= 2_000 ? null : sim.Vips.Where((_, i) => i % step == 0));
        return new LeanScaleResult(
            nodes,
            vips,
            settled,
            idle,
            records.Min(),
            records.Max(),
            claims,
            allLean,
            verdicts.Length,
            converged,
            moved,
            moved / Math.Max(convergedAt.TotalSeconds, 0.001) / survivors.Count,
            after.Max(),
            sim.Network.LargestDatagram,
            survivors.All(n => n.Cluster!.PublishesLean),
            violation,
            survivors.Max(n => n.Cluster!.BadRecords),
            wall.Elapsed,
            sim);
    }

    /// <summary>Virtual time until every VIP has exactly one holder among <paramref name="up"/>, or null within <paramref name="limit"/>.</summary>
    public static TimeSpan? RunUntil(ClusterSwimSimulation sim, IReadOnlyList<ClusterSwimSimulation.SwimNode> up, TimeSpan limit)
    {
        var start = sim.Now;
        while (sim.Now - start < limit)
        {
            sim.Run(CheckEvery);
            if (OneHolderEach(sim, up))
            {
                return sim.Now - start;
            }
        }

        return null;
    }

    /// <summary>True when every VIP is desired (held: the announcer is instant) by exactly one of <paramref name="up"/>.</summary>
    public static bool OneHolderEach(ClusterSwimSimulation sim, IReadOnlyList<ClusterSwimSimulation.SwimNode> up)
    {
        var counts = new Dictionary<string, int>(sim.Vips.Count, StringComparer.Ordinal);
        foreach (var node in up)
        {
            foreach (var vip in (IEnumerable<string>?)node.Cluster?.Desired ?? [])
            {
                counts[vip] = counts.GetValueOrDefault(vip) + 1;
            }
        }

        return counts.Count == sim.Vips.Count && counts.Values.All(c => c == 1);
    }
}

/// <summary>What <see cref="LeanScaleRun.Run"/> measured; <see cref="Simulation"/> is left running for further checks (dispose it).</summary>
internal sealed record LeanScaleResult(
    int Nodes,
    int Vips,
    TimeSpan? Settled,
    double IdleBytesPerSecondPerNode,
    int SmallestRecord,
    int LargestRecord,
    int MostClaims,
    bool AllLean,
    int Verdicts,
    TimeSpan? ConvergedAfterCrash,
    long BytesAfterCrash,
    double BytesPerSecondPerSurvivorAfterCrash,
    int LargestRecordAfterCrash,
    int LargestDatagram,
    bool AllLeanAfterCrash,
    string? Violation,
    long BadRecords,
    TimeSpan Wall,
    ClusterSwimSimulation Simulation) : IDisposable
{
    public void Dispose() => Simulation.Dispose();
}
