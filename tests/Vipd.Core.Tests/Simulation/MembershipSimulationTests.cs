using Vipd.Core.Membership;
using Xunit.Abstractions;

namespace Vipd.Core.Tests.Simulation;

public sealed class MembershipSimulationTests(ITestOutputHelper output)
{
    public static TheoryData<int> Seeds => SimulationSeeds.Get(5);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Start_ThreeNodes_Converge(int seed)
    {
        using var cluster = new MembershipCluster(seed).AddNodes(3);
        cluster.StartAll();
        Assert.True(cluster.RunUntil(() => cluster.Converged() && cluster.Nodes.All(n => n.Membership.IsJoined), TimeSpan.FromSeconds(2)),
            cluster.Describe());
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Crash_ThreeNodes_EverySurvivorMarksDead(int seed)
    {
        using var cluster = new MembershipCluster(seed).AddNodes(3);
        cluster.StartAll();
        Assert.True(cluster.RunUntil(() => cluster.Converged(), TimeSpan.FromSeconds(2)), cluster.Describe());
        cluster.RunFor(TimeSpan.FromMilliseconds(500));
        var crashedAt = cluster.Elapsed;
        cluster["n2"].Crash();
        Assert.True(cluster.RunUntil(() => cluster.AllSee("n2", MemberState.Dead), TimeSpan.FromSeconds(2)), cluster.Describe());
        output.WriteLine($"seed {seed}: dead everywhere after {(cluster.Elapsed - crashedAt).TotalMilliseconds} ms");
    }
}
