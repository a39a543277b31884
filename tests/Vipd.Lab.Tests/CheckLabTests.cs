using Vipd.Lab.Daemon;

namespace Vipd.Lab.Tests;

/// <summary>Health checks feed the election: a failing check on the holder moves the VIP.</summary>
public sealed class CheckLabTests
{
    [Fact]
    public async Task Check_FailsOnHolder_VipMovesToHealthyNodeAndClientFollows()
    {
        await using var lab = await LabNetwork.CreateAsync(2);
        var directory = Path.Combine(Path.GetTempPath(), $"{lab.Prefix}-checks");
        Directory.CreateDirectory(directory);
        try
        {
            foreach (var node in lab.Nodes)
            {
                await File.WriteAllTextAsync(Path.Combine(directory, $"{node.Name}.health"), "0\n");
            }

            var options = new VipdClusterOptions
            {
                VipExtra = "checks = [\"health\"]",
                MetricsPort = 9475,
                NodeExtra = node => $"""
                    [[check]]
                    name = "health"
                    type = "file"
                    path = "{Path.Combine(directory, node.Name + ".health")}"
                    interval = "100ms"
                    timeout = "100ms"
                    rise = 1
                    fall = 1
                    """,
            };
            await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find(), options);
            var holder = await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, TimeSpan.FromSeconds(20));
            var other = lab.Nodes.Single(n => n != holder);
            Assert.Equal(0, (await lab.Client.ExecAsync("ping", "-c", "1", "-W", "1", LabNetwork.Vip4.ToString())).ExitCode);

            await File.WriteAllTextAsync(Path.Combine(directory, $"{holder.Name}.health"), "fault\n");

            await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, TimeSpan.FromSeconds(10), n => n == other);
            var entry = await lab.Client.NeighborAsync(LabNetwork.Vip4);
            for (var i = 0; i < 50 && entry?.Mac?.Equals(other.Mac) != true; i++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20));
                entry = await lab.Client.NeighborAsync(LabNetwork.Vip4);
            }

            Assert.Equal(other.Mac, entry?.Mac);
            var metrics = lab.Client.Run(() => Scrape(holder));
            Assert.Contains("vipd_check_up{check=\"health\"} 0", metrics, StringComparison.Ordinal);
            Assert.Contains("vipd_check_duration_seconds{check=\"health\"}", metrics, StringComparison.Ordinal);
            Assert.Contains(cluster.Process(holder).Output, l => l.Contains("health", StringComparison.Ordinal) && l.Contains("fail", StringComparison.OrdinalIgnoreCase));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string Scrape(LabHost node)
    {
        using var client = new System.Net.Sockets.TcpClient();
        client.ReceiveTimeout = 5000;
        client.Connect(new System.Net.IPEndPoint(node.IPv4, 9475));
        var stream = client.GetStream();
        stream.Write("GET /metrics HTTP/1.1\r\n\r\n"u8);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
