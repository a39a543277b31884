using System.Net;
using System.Net.Sockets;
using System.Text;
using Vipd.Lab.Daemon;

namespace Vipd.Lab.Tests;

/// <summary>A real vipd's /metrics, scraped from the client namespace over the lab bridge.</summary>
public sealed class MetricsLabTests
{
    private const int Port = 9475;

    [Fact]
    public async Task Scrape_AfterTakeover_ReportsHeldVipMembersAnnouncementsAndTakeover()
    {
        await using var lab = await LabNetwork.CreateAsync(2);
        await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find(), new VipdClusterOptions { MetricsPort = Port });
        var holder = await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, TimeSpan.FromSeconds(20));
        var other = lab.Nodes.Single(n => n != holder);

        var metrics = Parse(Scrape(lab, holder));
        Assert.Equal(1, metrics["vipd_vips_held{node=\"" + holder.Name + "\"}"]);
        Assert.Equal(1, metrics["vipd_vip_held{vip=\"web\"}"]);
        Assert.Equal(2, metrics["vipd_members{state=\"alive\"}"]);
        Assert.True(metrics["vipd_announcements_total"] >= 1);
        Assert.Equal(0, metrics["vipd_announcements_queued"]);
        Assert.Equal(0, metrics["vipd_announcements_deferred_total"]);
        Assert.Equal(1, metrics["vipd_takeover_seconds_count"]);
        Assert.True(metrics["vipd_takeover_seconds_bucket{le=\"+Inf\"}"] >= 1);
        Assert.True(metrics["vipd_gossip_datagrams_received_total"] > 0);
        Assert.Equal(0, metrics["vipd_gossip_send_failures_total"]);

        var backup = Parse(Scrape(lab, other));
        Assert.Equal(0, backup["vipd_vips_held{node=\"" + other.Name + "\"}"]);
        Assert.True(backup["vipd_ownership_transitions_total"] >= 1);
    }

    private static string Scrape(LabNetwork lab, LabHost node) => lab.Client.Run(() =>
    {
        using var client = new TcpClient();
        client.ReceiveTimeout = 5000;
        client.Connect(new IPEndPoint(node.IPv4, Port));
        var stream = client.GetStream();
        stream.Write(Encoding.ASCII.GetBytes("GET /metrics HTTP/1.1\r\nHost: vipd\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = reader.ReadToEnd();
        Assert.StartsWith("HTTP/1.1 200 OK", response, StringComparison.Ordinal);
        return response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
    });

    private static Dictionary<string, double> Parse(string text) => text
        .Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Where(l => !l.StartsWith('#'))
        .Select(l => l.Split(' '))
        .ToDictionary(p => p[0], p => p[1] == "+Inf" ? double.PositiveInfinity : double.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
}
