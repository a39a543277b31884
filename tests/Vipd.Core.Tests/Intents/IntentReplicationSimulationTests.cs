using System.Globalization;
using Vipd.Core.Intents;
using Vipd.Core.Tests.Simulation;
using Xunit.Abstractions;
using static Vipd.Core.Tests.Intents.IntentTestVips;

namespace Vipd.Core.Tests.Intents;

/// <summary>
/// Every node ends with the same dynamic sets and preferences, with loss, a partition that heals and a restart; the
/// convergence times and bytes are printed (virtual time).
/// </summary>
public sealed class IntentReplicationSimulationTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(3, 1)]
    [InlineData(10, 2)]
    [InlineData(50, 3)]
    public void Replicate_LossAndHealedPartition_AllNodesConverge(int nodes, int seed)
    {
        seed = SimulationSeeds.Replay ?? seed;
        using var sim = new IntentCluster(seed, nodes);
        var names = sim.Names;
        sim.StartAll();
        Assert.True(sim.Cluster.RunUntil(() => sim.Cluster.Converged(), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50)),
            $"seed {seed}: membership did not converge");
        sim.Cluster.Network.LossRate = 0.1;

        // 1. Changes on three nodes at once, one source larger than a datagram (fragments), at 10 % loss.
        var bytes0 = sim.ReplicationBytes;
        var messages0 = sim.ReplicationMessages;
        var start = sim.Cluster.Elapsed;
        sim.Store(names[0]).Apply("k8s", [.. Enumerable.Range(0, 60).Select(i => Vip($"svc-{i:D2}", $"198.51.100.{i + 10}/24"))], replace: true);
        sim.Store(names[^1]).Apply("automation", [Vip("db", "203.0.113.5/24", priority: 150)], replace: false);
        sim.Store(names[1]).SetPreference("svc-01", names[^1]);
        Assert.True(sim.Cluster.RunUntil(() => sim.Converged(), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20)),
            $"seed {seed}: no convergence after the apply\n{sim.Describe()}");
        var applyTime = sim.Cluster.Elapsed - start;
        var applyBytes = sim.ReplicationBytes - bytes0;
        var applyMessages = sim.ReplicationMessages - messages0;
        Assert.Equal(60, sim.Store(names[nodes / 2]).DynamicVips["k8s"].Count);
        Assert.Equal(names[^1], sim.Store(names[0]).PreferenceOf("svc-01"));

        // 2. A partition: both sides write, the same preference concurrently (last writer wins), then it heals.
        var sideA = names.Take(nodes / 2 + 1).ToList();
        var sideB = names.Skip(nodes / 2 + 1).ToList();
        if (sideB.Count == 0)
        {
            sideB = [sideA[^1]];
            sideA.RemoveAt(sideA.Count - 1);
        }

        sim.Cluster.Network.Partition(sideA.Select(n => sim.Cluster[n].Endpoint), sideB.Select(n => sim.Cluster[n].Endpoint));
        sim.Cluster.RunFor(TimeSpan.FromSeconds(2));
        sim.Store(sideA[0]).Apply("k8s", [Vip("svc-00", "198.51.100.10/24", priority: 200)], replace: true);
        sim.Store(sideB[0]).Remove("automation", [], all: true);
        sim.Store(sideA[^1]).SetPreference("svc-00", sideA[0]);
        sim.Store(sideB[^1]).SetPreference("svc-00", sideB[0]);
        sim.Cluster.RunFor(TimeSpan.FromSeconds(5));
        Assert.True(sim.Converged(sideA) && sim.Converged(sideB), $"seed {seed}: a side did not converge internally");
        Assert.False(sim.Converged(), "the sides cannot agree through a partition");

        var bytes1 = sim.ReplicationBytes;
        var healedAt = sim.Cluster.Elapsed;
        sim.Cluster.Network.Heal();
        Assert.True(sim.Cluster.RunUntil(() => sim.Converged(), TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(20)),
            $"seed {seed}: no convergence after the heal\n{sim.Describe()}");
        var healTime = sim.Cluster.Elapsed - healedAt;
        var healBytes = sim.ReplicationBytes - bytes1;
        var store = sim.Store(names[0]);
        Assert.Equal(["svc-00"], store.DynamicVips["k8s"].Select(v => v.Name));
        Assert.False(store.DynamicVips.ContainsKey("automation"));
        Assert.NotNull(store.PreferenceOf("svc-00"));
        Assert.Contains(store.PreferenceOf("svc-00"), new[] { sideA[0], sideB[0] });

        // 3. Idle: only summaries.
        sim.Cluster.Network.LossRate = 0;
        sim.Cluster.RunFor(TimeSpan.FromSeconds(2));
        var idle0 = sim.ReplicationBytes;
        sim.Cluster.RunFor(TimeSpan.FromSeconds(10));
        var idleRate = (sim.ReplicationBytes - idle0) / 10.0 / nodes;

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{nodes} nodes, seed {seed}, 10 % loss: apply (60 + 1 VIPs, 1 preference) converged in {applyTime.TotalMilliseconds:F0} ms, "
            + $"{applyBytes / 1024.0:F1} KiB replication payload in {applyMessages} datagrams; partition heal converged in {healTime.TotalMilliseconds:F0} ms, "
            + $"{healBytes / 1024.0:F1} KiB; idle {idleRate:F0} B/s per node; drops {sim.Drops}"));
        Assert.Equal(0, sim.Drops);
        Assert.InRange(idleRate, 1, 100);
    }

    [Fact]
    public void Replicate_LargestSourceUnderLoss_ReassembledEverywhere()
    {
        var seed = SimulationSeeds.Replay ?? 5;
        using var sim = new IntentCluster(seed, 12);
        var names = sim.Names;
        sim.StartAll();
        Assert.True(sim.Cluster.RunUntil(() => sim.Cluster.Converged(), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50)));
        sim.Cluster.Network.LossRate = 0.1;
        var vips = Enumerable.Range(0, IntentValidation.MaxVipsPerSource)
            .Select(i => Vip($"service-{i:D4}", $"2001:db8::{i + 1:x}/64", allowed: ["n1", "n2", "n3"])).ToList();

        var bytes0 = sim.ReplicationBytes;
        var messages0 = sim.ReplicationMessages;
        var start = sim.Cluster.Elapsed;
        sim.Store(names[0]).Apply("k8s", vips, replace: true);
        Assert.True(sim.Cluster.RunUntil(() => sim.Converged(), TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(50)),
            $"seed {seed}: {sim.Store(names[^1]).DynamicVips.GetValueOrDefault("k8s")?.Count ?? 0} VIPs at {names[^1]}");

        var size = sim.Store(names[0]).Snapshot().Sources.Sum(s => s.Vips.Count);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"12 nodes, 10 % loss, one source of {size} VIPs: converged in {(sim.Cluster.Elapsed - start).TotalMilliseconds:F0} ms, "
            + $"{(sim.ReplicationBytes - bytes0) / 1024.0:F0} KiB in {sim.ReplicationMessages - messages0} datagrams; largest datagram "
            + $"{sim.Cluster.Network.LargestDatagram} B; drops {sim.Drops}"));
        Assert.Equal(0, sim.Drops);
        Assert.True(sim.Cluster.Network.LargestDatagram <= 1400);
    }

    [Fact]
    public void Restart_PersistedCopyOlder_ConvergesToNewer()
    {
        var seed = SimulationSeeds.Replay ?? 7;
        using var sim = new IntentCluster(seed, 5);
        var names = sim.Names;
        sim.StartAll();
        Assert.True(sim.Cluster.RunUntil(() => sim.Cluster.Converged(), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50)));
        sim.Store(names[0]).Apply("k8s", [Vip("web", "192.0.2.100/24")], replace: false);
        Assert.True(sim.Cluster.RunUntil(() => sim.Converged(), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20)));

        var persisted = sim.Store(names[4]).Snapshot();
        sim.Crash(names[4]);
        sim.Store(names[1]).Apply("k8s", [Vip("api", "192.0.2.101/24")], replace: false);
        sim.Store(names[2]).SetPreference("web", names[3]);
        sim.Cluster.RunFor(TimeSpan.FromSeconds(2));
        sim.Restart(names[4], persisted);

        Assert.True(sim.Cluster.RunUntil(() => sim.Converged(), TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(20)), sim.Describe());
        Assert.Equal(["api", "web"], sim.Store(names[4]).DynamicVips["k8s"].Select(v => v.Name));
        Assert.Equal(names[3], sim.Store(names[4]).PreferenceOf("web"));

        // Its clock was restored: its next write outranks every version it has seen.
        var version = sim.Store(names[4]).Apply("k8s", [Vip("web", "192.0.2.100/24")], replace: true).Version;
        Assert.True(version > sim.Store(names[1]).SourceVersion("k8s")!.Value || version.Origin == names[4]);
        Assert.True(sim.Cluster.RunUntil(() => sim.Converged(), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20)), sim.Describe());
        Assert.Equal(["web"], sim.Store(names[0]).DynamicVips["k8s"].Select(v => v.Name));
    }
}
