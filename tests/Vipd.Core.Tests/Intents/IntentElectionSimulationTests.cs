using Vipd.Core.Cluster;
using Vipd.Core.Intents;
using static Vipd.Core.Tests.Intents.IntentTestVips;

namespace Vipd.Core.Tests.Intents;

/// <summary>
/// Dynamic VIPs and a Move end to end over the real gossip: each node's <see cref="ClusterNode"/> elects over the
/// replicated set with the replicated preference, as the daemon wires them.
/// </summary>
public sealed class IntentElectionSimulationTests
{
    [Fact]
    public void Move_ReplicatedPreference_EveryNodeElectsPreferredThenBack()
    {
        using var sim = new IntentCluster(21, 5);
        var names = sim.Names;
        var clusters = new Dictionary<string, ClusterNode>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var cluster = new ClusterNode(name, new ClusterOptions(false, names.Count, TimeSpan.FromSeconds(2)), sim.Cluster[name].Membership, sim.Cluster.Time, null);
            cluster.DesiredChanged += set => cluster.ReportHeld([.. set]);
            var store = sim.Store(name);
            store.Changed += _ => Wire(cluster, store, name);
            clusters[name] = cluster;
        }

        try
        {
            sim.StartAll();
            Assert.True(sim.Cluster.RunUntil(() => sim.Cluster.Converged(), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50)));
            sim.Cluster.Network.LossRate = 0.05;

            sim.Store(names[0]).Apply("k8s", [Vip("web", "192.0.2.50/24"), Vip("api", "192.0.2.51/24")], replace: false);
            Assert.True(sim.Cluster.RunUntil(() => OneOwner(clusters, "web") is not null, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(20)));
            var natural = OneOwner(clusters, "web")!;
            var target = names.First(n => n != natural);

            sim.Store(names[2]).SetPreference("web", target);
            Assert.True(sim.Cluster.RunUntil(() => OneOwner(clusters, "web") == target, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(20)),
                $"web should move from {natural} to {target}");
            Assert.Contains("preferred by move", clusters[names[4]].Explain("web").Summary, StringComparison.Ordinal);

            sim.Store(names[3]).SetPreference("web", null);
            Assert.True(sim.Cluster.RunUntil(() => OneOwner(clusters, "web") == natural, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(20)),
                $"web should return to {natural}");
        }
        finally
        {
            foreach (var cluster in clusters.Values)
            {
                cluster.Dispose();
            }
        }
    }

    /// <summary>What the daemon does on a change: elect over the effective dynamic VIPs with their preferences.</summary>
    private static void Wire(ClusterNode cluster, IntentStore store, string name)
    {
        var vips = store.EffectiveVips();
        cluster.SetVips([.. vips.Select(v => v.Vip.ToVipSpec(store.PreferenceOf(v.Vip.Name)))]);
        cluster.SetLocalState(false, vips.ToDictionary(v => v.Vip.Name, v => new LocalVipState(true, v.Vip.PriorityOf(name)), StringComparer.Ordinal));
    }

    /// <summary>The owner when every node elects the same one and exactly that node holds the VIP; else null.</summary>
    private static string? OneOwner(Dictionary<string, ClusterNode> clusters, string vip)
    {
        var owners = clusters.Values.Select(c => c.Explain(vip).Owner).Distinct().ToList();
        if (owners.Count != 1 || owners[0] is not { } owner)
        {
            return null;
        }

        var holders = clusters.Where(c => c.Value.Desired.Contains(vip)).Select(c => c.Key).ToList();
        return holders.Count == 1 && holders[0] == owner ? owner : null;
    }
}
