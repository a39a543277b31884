using System.Net;
using Vipd.Lab.Daemon;

namespace Vipd.Lab.Tests;

/// <summary>SIGHUP reloads: added VIPs come up, unchanged ones stay quiet, a bad file is refused.</summary>
public sealed class ReloadLabTests
{
    private static readonly IPAddress Second = IPAddress.Parse("192.0.2.201");
    private const int Hangup = 1;

    [Fact]
    public async Task Reload_VipAdded_NewVipBoundAndUnchangedVipNotReannounced()
    {
        await using var lab = await LabNetwork.CreateAsync(1);
        await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find());
        var node = await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, TimeSpan.FromSeconds(20));
        // Let the first and second bursts of the held VIP pass (2 s), so any later frame for it is the reload's doing.
        await Task.Delay(TimeSpan.FromSeconds(3));
        await using var capture = await Capture.StartAsync(lab.Client, "arp");

        await File.AppendAllTextAsync(cluster.ConfigPath(node), $"""

            [[vip]]
            name = "api"
            address = "{Second}/24"
            interface = "{node.Interface}"
            """);
        cluster.Process(node).Kill(Hangup);

        await cluster.WaitForSingleHolderAsync(Second, TimeSpan.FromSeconds(5));
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var pcap = await capture.StopAsync();
        var senders = (await Tshark.DecodeAsync(pcap, ["arp.src.proto_ipv4"], "arp.src.proto_ipv4 == arp.dst.proto_ipv4")).Select(r => r[0]).ToList();

        Assert.Contains(Second.ToString(), senders);
        Assert.DoesNotContain(LabNetwork.Vip4.ToString(), senders);
        Assert.Single(await cluster.HoldersAsync(LabNetwork.Vip4));
        Assert.Contains(cluster.Process(node).Output, l => l.Contains("Reloaded", StringComparison.Ordinal) && l.Contains("1 VIPs added", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reload_VipsAddedAndRemoved_NoProbeLostForUnchangedVip()
    {
        var removed = IPAddress.Parse("192.0.2.202");
        await using var lab = await LabNetwork.CreateAsync(1);
        var options = new VipdClusterOptions { Vips = [("web", LabNetwork.Vip4, 24), ("old", removed, 24)] };
        await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find(), options);
        var node = await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, TimeSpan.FromSeconds(20));
        await cluster.WaitForSingleHolderAsync(removed, TimeSpan.FromSeconds(5));
        await using var prober = Prober.Start(lab.Client, LabNetwork.Vip4, TimeSpan.FromMilliseconds(5), ProbeKind.Icmp);
        await Task.Delay(TimeSpan.FromMilliseconds(300));

        var path = cluster.ConfigPath(node);
        var text = await File.ReadAllTextAsync(path);
        await File.WriteAllTextAsync(path, text.Replace("name = \"old\"", "name = \"api\"", StringComparison.Ordinal).Replace($"{removed}/24", $"{Second}/24", StringComparison.Ordinal));
        cluster.Process(node).Kill(Hangup);
        await cluster.WaitForSingleHolderAsync(Second, TimeSpan.FromSeconds(5));
        for (var i = 0; i < 100 && (await cluster.HoldersAsync(removed)).Count > 0; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }

        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var report = await prober.StopAsync();

        Assert.Empty(await cluster.HoldersAsync(removed));
        Assert.True(report.Lost == 0, $"unchanged VIP lost probes during the reload: {report}");
        Assert.Contains(cluster.Process(node).Output, l => l.Contains("1 VIPs added, 1 removed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reload_BadConfig_RefusedAndRunningConfigKept()
    {
        await using var lab = await LabNetwork.CreateAsync(1);
        await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find());
        var node = await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, TimeSpan.FromSeconds(20));
        var path = cluster.ConfigPath(node);
        await File.AppendAllTextAsync(path, "\n[[vip]]\nname = \"web\"\naddres = \"192.0.2.202/24\"\n");

        cluster.Process(node).Kill(Hangup);
        var line = await cluster.Process(node).WaitForOutputAsync("Reload refused", TimeSpan.FromSeconds(5));

        Assert.Contains(path, line, StringComparison.Ordinal);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.Contains(cluster.Process(node).Output, l => l.Contains($"{path}:", StringComparison.Ordinal) && l.Contains("unknown key 'addres'", StringComparison.Ordinal));
        Assert.False(cluster.Process(node).HasExited);
        Assert.Equal([node.Name], (await cluster.HoldersAsync(LabNetwork.Vip4)).Select(h => h.Name));
    }

    /// <summary>
    /// The package test's shape: two nodes, n1 preferred for "web" and the only one with a check on it, a reload that
    /// adds a VIP only n1 knows, then a planned stop of n1. n2 must take "web" at once (not after the handover timeout).
    /// </summary>
    [Fact]
    public async Task Stop_AfterReloadAddingAVipOnlyThisNodeKnows_SuccessorTakesTheSharedVipAtOnce()
    {
        await using var lab = await LabNetwork.CreateAsync(2);
        var options = new VipdClusterOptions
        {
            VipExtra = "priorities = { n1 = 200, n2 = 100 }\npreempt = true",
            NodeExtra = n => n.Name == "n1"
                ? "checks = [\"ok\"]\n\n[[check]]\nname = \"ok\"\ntype = \"exec\"\ncommand = [\"/bin/true\"]\n"
                : string.Empty,
        };
        await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find(), options);
        var n1 = lab.Nodes.Single(n => n.Name == "n1");
        var n2 = lab.Nodes.Single(n => n.Name == "n2");
        await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, TimeSpan.FromSeconds(20), n => n == n1);
        var text = await File.ReadAllTextAsync(cluster.ConfigPath(n1));
        await File.WriteAllTextAsync(cluster.ConfigPath(n1), text.Replace("\n[[check]]", $"\n[[vip]]\nname = \"api\"\naddress = \"{Second}/24\"\ninterface = \"{n1.Interface}\"\n\n[[check]]", StringComparison.Ordinal));
        cluster.Process(n1).Kill(Hangup);
        await cluster.WaitForSingleHolderAsync(Second, TimeSpan.FromSeconds(5));
        await Task.Delay(TimeSpan.FromSeconds(1));

        var started = System.Diagnostics.Stopwatch.StartNew();
        await cluster.StopAsync(n1, TimeSpan.FromSeconds(10));
        var stopped = started.Elapsed;
        await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, TimeSpan.FromSeconds(5), n => n == n2);

        Assert.True(stopped < TimeSpan.FromSeconds(2), $"the stop took {stopped.TotalMilliseconds:F0} ms{Environment.NewLine}{cluster.Logs()}");
    }
}
