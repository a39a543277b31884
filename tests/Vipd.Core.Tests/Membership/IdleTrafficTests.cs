using Vipd.Core.Membership;
using Vipd.Core.Tests.Simulation;
using Xunit.Abstractions;

namespace Vipd.Core.Tests.Membership;

/// <summary>
/// What an idle cluster sends (issue 13, item 3: ≤ 2,048 B/s per node on the wire at 3 nodes, flat in the cluster
/// size), in the deterministic simulation (no loss, 0.5 ms latency): one ping per probe interval and node, an ack per
/// ping, nothing else until the push/pull.
/// </summary>
public sealed class IdleTrafficTests(ITestOutputHelper output)
{
    /// <summary>Sealed ping of a 2-character sender: 30 (version, key id, nonce, tag) + 8 recipient id + 3 name + 3 frame header + 8 body.</summary>
    private const int PingDatagram = 52;

    /// <summary>Sealed ack: the same with a 4-byte body.</summary>
    private const int AckDatagram = 48;

    /// <summary>What a frame adds to its UDP payload on the wire: Ethernet header 14 and FCS 4, IPv4 20, UDP 8.</summary>
    private const int FrameOverhead = 46;

    /// <summary>Issue 13's target, every frame counted.</summary>
    private const double TargetBytesPerSecond = 2048;

    [Fact]
    public void Idle_ThreeNodes_OnlyPingsAndAcksOfFormat2Size_UnderTheWireTarget()
    {
        using var cluster = new MembershipCluster(1).AddNodes(3);
        cluster.StartAll();
        Assert.True(cluster.RunUntil(() => cluster.Converged(), TimeSpan.FromSeconds(2)), cluster.Describe());

        // Until the join's broadcasts ran out: then only probes (push/pull is 27 s away or more).
        cluster.RunFor(TimeSpan.FromSeconds(3));
        var window = TimeSpan.FromSeconds(4);
        var before = cluster.Nodes.ToDictionary(n => n.Name, n => (n.Membership.Traffic.DatagramsSent, n.Membership.Traffic.BytesSent));
        cluster.RunFor(window);

        var probesPerSecond = 1 / MembershipOptions.Default.ProbeInterval.TotalSeconds;
        foreach (var node in cluster.Nodes)
        {
            var datagrams = node.Membership.Traffic.DatagramsSent - before[node.Name].DatagramsSent;
            var bytes = node.Membership.Traffic.BytesSent - before[node.Name].BytesSent;
            var wire = (bytes + (FrameOverhead * datagrams)) / window.TotalSeconds;
            output.WriteLine($"{node.Name}: {datagrams / window.TotalSeconds:F1} datagrams/s, {bytes / window.TotalSeconds:F0} B/s UDP payload, {wire:F0} B/s on the wire");

            // One fixed probe order: each node is probed exactly once per round by each other node, so every node
            // sends one ping and one ack per interval (± the round under way at either end of the window).
            Assert.InRange(datagrams / window.TotalSeconds, (2 * probesPerSecond) - 1, (2 * probesPerSecond) + 1);
            Assert.InRange(wire, 0, TargetBytesPerSecond);
        }

        // No loss: every ping is acked, so pings and acks are as many, and the mean is their mean, exactly.
        var allDatagrams = cluster.Nodes.Sum(n => n.Membership.Traffic.DatagramsSent - before[n.Name].DatagramsSent);
        var allBytes = cluster.Nodes.Sum(n => n.Membership.Traffic.BytesSent - before[n.Name].BytesSent);
        Assert.Equal((PingDatagram + AckDatagram) / 2.0 * allDatagrams, allBytes);
    }

    /// <summary>Idle bytes per node and second stay those of one probe per interval whatever the cluster size.</summary>
    [Theory]
    [InlineData(3)]
    [InlineData(100)]
    [InlineData(1000)]
    public void Idle_BytesPerNodeFlatInClusterSize(int nodes)
    {
        using var cluster = new MembershipCluster(1).AddNodes(nodes);
        cluster.StartAll();
        Assert.True(cluster.RunUntil(() => cluster.Converged(), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500)), cluster.Describe());
        // Until the joins' broadcasts ran out (each is sent 4 x ceil(log10(n + 1)) times).
        cluster.RunFor(TimeSpan.FromSeconds(10));
        var bytes = cluster.Nodes.Sum(n => n.Membership.Traffic.BytesSent);
        var datagrams = cluster.Nodes.Sum(n => n.Membership.Traffic.DatagramsSent);
        cluster.RunFor(TimeSpan.FromSeconds(4));
        var perNode = (cluster.Nodes.Sum(n => n.Membership.Traffic.BytesSent) - bytes) / 4.0 / nodes;
        var frames = (cluster.Nodes.Sum(n => n.Membership.Traffic.DatagramsSent) - datagrams) / 4.0 / nodes;
        output.WriteLine($"{nodes} nodes: {perNode:F0} B/s UDP payload and {frames:F1} datagrams/s per node ({perNode + (frames * FrameOverhead):F0} B/s on the wire)");

        // 10 pings and 10 acks of 52 and 48 bytes; names grow from 2 to 4 characters at 1000 nodes.
        var probesPerSecond = 1 / MembershipOptions.Default.ProbeInterval.TotalSeconds;
        Assert.InRange(frames, (2 * probesPerSecond) - 1, (2 * probesPerSecond) + 1.5);
        Assert.InRange(perNode, probesPerSecond * (PingDatagram + AckDatagram) * 0.95, probesPerSecond * (PingDatagram + AckDatagram + 4) * 1.05);
        Assert.InRange(perNode + (frames * FrameOverhead), 0, TargetBytesPerSecond);
    }
}
