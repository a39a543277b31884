using Vipd.Core.Wire;
using Xunit.Abstractions;

namespace Vipd.Core.Tests.Simulation;

/// <summary>Metadata above the inline 512 bytes: a reference in the gossip, the body in fragments, fetched when missed.</summary>
public sealed class LargeMetadataSimulationTests(ITestOutputHelper output)
{
    public static TheoryData<int> Seeds => SimulationSeeds.Get(5);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void UpdateMetadata_LargeBody_EveryPeerSeesItWhole(int seed)
    {
        using var cluster = Started(seed, 5);
        var body = Body(seed, 40_000);

        cluster["n1"].Membership.UpdateMetadata(body);

        Assert.True(cluster.RunUntil(() => AllSee(cluster, "n1", body), TimeSpan.FromSeconds(1)), cluster.Describe());
        output.WriteLine($"seed {seed}: 40 KB seen by 4 peers after {cluster.Elapsed.TotalMilliseconds:F0} ms of virtual time");
        Assert.InRange(cluster.Network.LargestDatagram, 1, 1400);
        Assert.All(cluster.Nodes, n => Assert.Equal(0, n.Membership.Drops[DropReason.BadMetadata]));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void UpdateMetadata_ThirtyPercentLoss_FragmentsRefetchedUntilWhole(int seed)
    {
        using var cluster = Started(seed, 4);
        cluster.Network.LossRate = 0.3;
        var body = Body(seed, 20_000);

        cluster["n2"].Membership.UpdateMetadata(body);

        Assert.True(cluster.RunUntil(() => AllSee(cluster, "n2", body), TimeSpan.FromSeconds(10)), cluster.Describe());
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void UpdateMetadata_BodyOfMoreFragmentsThanTheReplayWindow_CompletesUnderReordering(int seed)
    {
        // 200 KB is about 150 fragments: more than the 64-datagram replay window, so a whole body sent at once and
        // reordered would lose fragments as "replayed" on every resend; sends are capped and resumed from the gap.
        using var cluster = Started(seed, 3);
        cluster.Network.ReorderRate = 0.2;
        var body = Body(seed, 200_000);

        cluster["n1"].Membership.UpdateMetadata(body);

        Assert.True(cluster.RunUntil(() => AllSee(cluster, "n1", body), TimeSpan.FromSeconds(3)), cluster.Describe());
        var sent = cluster.Network.BytesSentBy(cluster["n1"].Endpoint);
        cluster.RunFor(TimeSpan.FromSeconds(5));
        var idle = (cluster.Network.BytesSentBy(cluster["n1"].Endpoint) - sent) / 5.0;
        output.WriteLine($"seed {seed}: 200 KB seen by 2 peers after {cluster.Elapsed.TotalMilliseconds:F0} ms; then {idle:F0} B/s from its owner");
        Assert.InRange(idle, 0, 5_000); // no resends once every peer has it
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void UpdateMetadata_SuccessiveBodies_PeersEndOnTheLatestAndNeverSeeAPartOne(int seed)
    {
        using var cluster = Started(seed, 4);
        cluster.Network.ReorderRate = 0.3;
        byte[][] bodies = [Body(seed, 9_000), Body(seed + 1, 12_000), Body(seed + 2, 700), Body(seed + 3, 30_000)];
        var seen = new List<int>();
        cluster["n3"].Membership.Changed += m =>
        {
            if (m.Name == "n1")
            {
                seen.Add(m.Metadata.Length);
            }
        };

        foreach (var body in bodies)
        {
            cluster["n1"].Membership.UpdateMetadata(body);
            cluster.RunFor(TimeSpan.FromMilliseconds(0.5));
        }

        Assert.True(cluster.RunUntil(() => AllSee(cluster, "n1", bodies[^1]), TimeSpan.FromSeconds(2)), cluster.Describe());
        Assert.All(seen, length => Assert.Contains(length, bodies.Select(b => b.Length).Append(0)));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Join_AfterLargeBodyPublished_FetchedFromTheReference(int seed)
    {
        using var cluster = new MembershipCluster(seed).AddNodes(3);
        cluster.StartAll();
        Assert.True(cluster.RunUntil(() => cluster.Converged(), TimeSpan.FromSeconds(2)), cluster.Describe());
        var body = Body(seed, 15_000);
        cluster["n1"].Membership.UpdateMetadata(body);
        Assert.True(cluster.RunUntil(() => AllSee(cluster, "n1", body), TimeSpan.FromSeconds(1)), cluster.Describe());

        cluster.AddNode("n4");
        cluster.StartAll();

        Assert.True(cluster.RunUntil(() => cluster.Converged() && AllSee(cluster, "n1", body), TimeSpan.FromSeconds(3)), cluster.Describe());
    }

    private static MembershipCluster Started(int seed, int nodes)
    {
        var cluster = new MembershipCluster(seed).AddNodes(nodes);
        cluster.StartAll();
        Assert.True(cluster.RunUntil(() => cluster.Converged(), TimeSpan.FromSeconds(2)), cluster.Describe());
        return cluster;
    }

    private static bool AllSee(MembershipCluster cluster, string owner, byte[] body) =>
        cluster.Nodes.All(n => n.Membership.Members.Single(m => m.Name == owner).Metadata.Span.SequenceEqual(body));

    private static byte[] Body(int seed, int length)
    {
        var body = new byte[length];
        new Random(seed).NextBytes(body);
        body[0] = 2; // a node record's format byte: not the reference marker
        return body;
    }
}
