using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Vipd.Lab.Daemon;
using Xunit.Abstractions;

namespace Vipd.Lab.Tests;

/// <summary>
/// Issue 11, a LAN stranger without the key: gossip captured on the bridge between two real vipd nodes and resent from
/// the client namespace (another address, several source ports) gets no UDP reply at all and changes nothing. Before
/// wire format 2 the same replay drew 36 replies (acks, push/pull and intent answers went to the UDP source).
/// </summary>
public sealed class GossipReplayLabTests(ITestOutputHelper output)
{
    private const int MetricsPort = 9476;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);
    private static readonly int[] StrangerPorts = [40001, 40002, 40003];

    [Fact]
    public async Task Replay_CapturedGossipFromStranger_NoReplyAndNothingChanges()
    {
        await using var lab = await LabNetwork.CreateAsync(3);
        await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find(), new VipdClusterOptions { MetricsPort = MetricsPort });
        var owner = await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, Settle);
        var (n1, n2) = (lab.Nodes[0], lab.Nodes[1]);
        await WaitForAsync(() => lab.Nodes.All(n => Members(Scrape(lab, n), "alive") == 3), TimeSpan.FromSeconds(10), cluster);

        // The bridge floods like a hub: the client's eth0 sees n1's gossip to n2.
        var sniff = await Capture.StartAsync(lab.Client, $"udp port 7450 and src host {n1.IPv4} and dst host {n2.IPv4}");
        Assert.True(await sniff.WaitForPacketsAsync(40, TimeSpan.FromSeconds(10)), "no gossip from n1 to n2 seen on the bridge");
        var pcap = await sniff.StopAsync();
        var recorded = (await Tshark.DecodeAsync(pcap, ["udp.payload"]))
            .Select(row => Convert.FromHexString(row[0].Replace(":", string.Empty, StringComparison.Ordinal)))
            .Where(p => p.Length > 0)
            .Take(60)
            .ToList();
        Assert.True(recorded.Count >= 20, $"only {recorded.Count} datagrams recorded");

        var before = lab.Nodes.ToDictionary(n => n.Name, n => Scrape(lab, n));
        var logMarks = lab.Nodes.ToDictionary(n => n.Name, n => cluster.Process(n).Output.Count);
        var holdersBefore = await cluster.HoldersByVipAsync();

        // Anything sent to the stranger's address, whatever the port, is a reply.
        await using var replies = await Capture.StartAsync(lab.Client, $"udp and dst host {lab.Client.IPv4}");
        var received = lab.Client.Run(() =>
        {
            var sockets = StrangerPorts.Select(port =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                socket.Bind(new IPEndPoint(IPAddress.Any, port));
                return socket;
            }).ToList();
            try
            {
                foreach (var socket in sockets)
                {
                    foreach (var datagram in recorded)
                    {
                        // To the recipient (a replay) and to the other nodes (sealed for n2, not for them).
                        foreach (var node in lab.Nodes)
                        {
                            socket.SendTo(datagram, new IPEndPoint(node.IPv4, 7450));
                        }
                    }
                }

                // Replies would come within milliseconds; wait 2 s for any.
                var count = 0;
                var buffer = new byte[2048];
                var deadline = Environment.TickCount64 + 2000;
                while (Environment.TickCount64 < deadline)
                {
                    var readable = sockets.Cast<Socket>().ToList();
                    Socket.Select(readable, null, null, 100_000);
                    foreach (var socket in readable)
                    {
                        socket.Receive(buffer);
                        count++;
                    }
                }

                return count;
            }
            finally
            {
                sockets.ForEach(s => s.Dispose());
            }
        });
        var replyPcap = await replies.StopAsync();
        var replyPackets = await Tshark.DecodeAsync(replyPcap, ["ip.src", "udp.srcport", "udp.dstport"], "udp");
        output.WriteLine($"recorded {recorded.Count} datagrams n1 -> n2; resent {recorded.Count * StrangerPorts.Length * lab.Nodes.Count}; " +
            $"replies: sockets {received}, on the wire {replyPackets.Count}");

        Assert.Equal(0, received);
        Assert.True(replyPackets.Count == 0, "replies to the stranger: " + string.Join("; ", replyPackets.Select(r => string.Join(' ', r))));

        // Nothing changed: the members, the holders, no membership log line since the replay; the drops say why.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var after = lab.Nodes.ToDictionary(n => n.Name, n => Scrape(lab, n));
        foreach (var node in lab.Nodes)
        {
            foreach (var state in new[] { "alive", "suspect", "dead", "left" })
            {
                Assert.Equal(Members(before[node.Name], state), Members(after[node.Name], state));
            }

            var newLines = cluster.Process(node).Output.Skip(logMarks[node.Name]).ToList();
            Assert.DoesNotContain(newLines, l => l.Contains("is now", StringComparison.Ordinal)
                || l.Contains("suspected by", StringComparison.Ordinal) || l.Contains("Refuted", StringComparison.Ordinal));
            Assert.False(cluster.Process(node).HasExited, $"{node.Name} exited{Environment.NewLine}{cluster.Logs()}");
        }

        var holdersAfter = await cluster.HoldersByVipAsync();
        Assert.Equal(holdersBefore[LabNetwork.Vip4].Select(h => h.Name), holdersAfter[LabNetwork.Vip4].Select(h => h.Name));
        Assert.Equal([owner.Name], holdersAfter[LabNetwork.Vip4].Select(h => h.Name));

        var sent = recorded.Count * StrangerPorts.Length;
        var replayed = Dropped(after[n2.Name], "Replayed") + Dropped(after[n2.Name], "StaleBoot")
            - Dropped(before[n2.Name], "Replayed") - Dropped(before[n2.Name], "StaleBoot");
        Assert.True(replayed >= sent, $"n2 counted {replayed} replays of {sent}");
        var misdirected = Dropped(after[lab.Nodes[2].Name], "WrongRecipient") - Dropped(before[lab.Nodes[2].Name], "WrongRecipient");
        Assert.True(misdirected >= sent, $"n3 counted {misdirected} datagrams sealed for another node of {sent}");
    }

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout, VipdCluster cluster)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < deadline, $"condition not met in {timeout}{Environment.NewLine}{cluster.Logs()}");
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    private static double Members(IReadOnlyDictionary<string, double> metrics, string state) =>
        metrics.GetValueOrDefault($"vipd_members{{state=\"{state}\"}}");

    private static double Dropped(IReadOnlyDictionary<string, double> metrics, string reason) =>
        metrics.GetValueOrDefault($"vipd_gossip_datagrams_dropped_total{{reason=\"{reason}\"}}");

    private static Dictionary<string, double> Scrape(LabNetwork lab, LabHost node) => lab.Client.Run(() =>
    {
        using var client = new TcpClient();
        client.ReceiveTimeout = 5000;
        client.Connect(new IPEndPoint(node.IPv4, MetricsPort));
        var stream = client.GetStream();
        stream.Write(Encoding.ASCII.GetBytes("GET /metrics HTTP/1.1\r\nHost: vipd\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = reader.ReadToEnd();
        Assert.StartsWith("HTTP/1.1 200 OK", response, StringComparison.Ordinal);
        return response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.StartsWith('#'))
            .Select(l => l.Split(' '))
            .ToDictionary(p => p[0], p => p[1] == "+Inf" ? double.PositiveInfinity : double.Parse(p[1], CultureInfo.InvariantCulture));
    });
}
