using System.Net;
using System.Net.Sockets;
using Vipd.Lab.Daemon;

namespace Vipd.Lab.Tests;

/// <summary>Three real vipd processes in the namespace lab: failover, handover, partitions and forged gossip.</summary>
public sealed class ClusterLabTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ProbePeriod = TimeSpan.FromMilliseconds(5);

    [Fact]
    public async Task Crash_OwnerUnpluggedAndKilled_ClientTrafficResumesOnSuccessor()
    {
        await using var lab = await LabNetwork.CreateAsync(3);
        await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find());
        var owner = await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, Settle);
        await using var prober = Prober.Start(lab.Client, LabNetwork.Vip4, ProbePeriod, ProbeKind.Icmp);
        await Task.Delay(TimeSpan.FromMilliseconds(500));

        await lab.CrashAsync(owner);
        var successor = await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, Settle, n => n != owner);
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        var report = await prober.StopAsync();

        var entry = await lab.Client.NeighborAsync(LabNetwork.Vip4);
        Assert.Equal(successor.Mac, entry?.Mac);
        var ping = await lab.Client.ExecAsync("ping", "-c", "3", "-i", "0.2", "-W", "1", LabNetwork.Vip4.ToString());
        Assert.True(ping.ExitCode == 0, $"client cannot reach the VIP on {successor.Name}: {ping.StdOut}{cluster.Logs()}");
        Assert.True(report.Received > 0, "the prober never got an answer");
        // A correctness bound, not the performance target (the failover benchmark measures that): well below any ARP timeout.
        Assert.True(report.LongestGap < TimeSpan.FromSeconds(3), $"outage {report.LongestGap.TotalMilliseconds} ms{Environment.NewLine}{cluster.Logs()}");
    }

    [Fact]
    public async Task Stop_OwnerSigterm_HandsOverAndExitsCleanly()
    {
        await using var lab = await LabNetwork.CreateAsync(3);
        await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find());
        var owner = await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, Settle);
        await using var prober = Prober.Start(lab.Client, LabNetwork.Vip4, ProbePeriod, ProbeKind.Icmp);
        await Task.Delay(TimeSpan.FromMilliseconds(500));

        await cluster.StopAsync(owner, TimeSpan.FromSeconds(10));
        var successor = await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, Settle, n => n != owner);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var report = await prober.StopAsync();

        Assert.Equal(0, cluster.Process(owner).ExitCode);
        var entry = await lab.Client.NeighborAsync(LabNetwork.Vip4);
        Assert.Equal(successor.Mac, entry?.Mac);
        Assert.True(report.LongestGap < TimeSpan.FromMilliseconds(500), $"planned handover gap {report.LongestGap.TotalMilliseconds} ms{Environment.NewLine}{cluster.Logs()}");
    }

    [Fact]
    public async Task Partition_ThenHeal_OneHolderAndClientPointsAtIt()
    {
        await using var lab = await LabNetwork.CreateAsync(3);
        await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find());
        var owner = await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, Settle);
        var others = lab.Nodes.Where(n => n != owner).ToList();
        // The client talks to the VIP first, so it has a neighbour entry that announcements can move.
        Assert.Equal(0, (await lab.Client.ExecAsync("ping", "-c", "2", "-i", "0.2", "-W", "1", LabNetwork.Vip4.ToString())).ExitCode);

        // The owner is cut off from the other nodes (the client still reaches everyone): without quorum both sides hold.
        await lab.PartitionAsync([owner], others);
        for (var i = 0; i < 200 && (await cluster.HoldersAsync(LabNetwork.Vip4)).Count < 2; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }

        Assert.Equal(2, (await cluster.HoldersAsync(LabNetwork.Vip4)).Count);

        await lab.HealAsync();
        var holder = await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, Settle);
        // After the heal the rightful owner re-announces, so the client's cache follows it whatever it saw last.
        NeighborEntry? entry = null;
        for (var i = 0; i < 100; i++)
        {
            entry = await lab.Client.NeighborAsync(LabNetwork.Vip4);
            if (entry?.Mac is not null && entry.Mac.Equals(holder.Mac))
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }

        Assert.True(holder.Mac.Equals(entry?.Mac), $"client entry {entry} but holder {holder.Name}{Environment.NewLine}{cluster.Logs()}");
        var ping = await lab.Client.ExecAsync("ping", "-c", "3", "-i", "0.2", "-W", "1", LabNetwork.Vip4.ToString());
        Assert.Equal(0, ping.ExitCode);
    }

    [Fact]
    public async Task Forged_DatagramsFromClient_ChangeNothing()
    {
        await using var lab = await LabNetwork.CreateAsync(3);
        await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find());
        var owner = await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, Settle);

        // Garbage, truncated, oversized and version-byte-valid but unauthenticated datagrams at every node's gossip port.
        lab.Client.Run(() =>
        {
            var random = new Random(7450);
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            for (var i = 0; i < 3000; i++)
            {
                var node = lab.Nodes[i % lab.Nodes.Count];
                var payload = new byte[i % 5 == 0 ? 1 + random.Next(4) : random.Next(1, 2000)];
                random.NextBytes(payload);
                if (i % 3 == 0)
                {
                    payload[0] = 1; // plausible version byte
                }

                socket.SendTo(payload, new IPEndPoint(node.IPv4, 7450));
            }
        });

        await Task.Delay(TimeSpan.FromSeconds(2));
        var holders = await cluster.HoldersAsync(LabNetwork.Vip4);
        Assert.Equal([owner.Name], holders.Select(h => h.Name));
        foreach (var node in lab.Nodes)
        {
            Assert.False(cluster.Process(node).HasExited, $"{node.Name} died on forged datagrams{Environment.NewLine}{cluster.Logs()}");
        }
    }
}
