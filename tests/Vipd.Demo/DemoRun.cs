using System.Diagnostics;
using System.Globalization;
using Vipd.Lab;
using Vipd.Lab.Daemon;

namespace Vipd.Demo;

/// <summary>The demo's story, printed step by step for a newcomer.</summary>
internal static class DemoRun
{
    private static readonly TimeSpan ProbePeriod = TimeSpan.FromMilliseconds(5);

    public static async Task<int> RunAsync(string vipdPath, int nodeCount, Stopwatch clock, CancellationToken cancellationToken)
    {
        var vip = LabNetwork.Vip4;
        Say(clock, $"building a lab: {nodeCount} server namespaces and a client on a private bridge (nothing touches this host's network)");
        await using var lab = await LabNetwork.CreateAsync(nodeCount, cancellationToken).ConfigureAwait(false);
        foreach (var node in lab.Nodes)
        {
            Console.WriteLine($"           {node.Name,-6} {node.IPv4,-13} MAC {node.Mac.ToColonString()}");
        }

        Console.WriteLine($"           {"client",-6} {lab.Client.IPv4,-13} MAC {lab.Client.Mac.ToColonString()}");
        Console.WriteLine($"           VIP \"web\" = {vip}/24, served by whichever node the cluster elects");

        Say(clock, $"starting vipd on {string.Join(", ", lab.Nodes.Select(n => n.Name))}");
        var profile = Environment.GetEnvironmentVariable("VIPD_PROFILE") ?? "default";
        await using var cluster = await VipdCluster.StartAsync(lab, vipdPath, new VipdClusterOptions { Profile = profile }, cancellationToken).ConfigureAwait(false);
        var owner = await cluster.WaitForSingleHolderAsync(vip, TimeSpan.FromSeconds(20), cancellationToken: cancellationToken).ConfigureAwait(false);
        Say(clock, $"the cluster elected {owner.Name}: it bound {vip} and announced it with gratuitous ARP");

        await using var prober = Prober.Start(lab.Client, vip, ProbePeriod, ProbeKind.Icmp);
        await WaitAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        var entry = await lab.Client.NeighborAsync(vip, cancellationToken).ConfigureAwait(false);
        Say(clock, $"the client pings {vip} every {ProbePeriod.TotalMilliseconds:0} ms; its ARP entry for the VIP points at {Describe(lab, entry?.Mac)}");

        Say(clock, $"crashing {owner.Name}: pull its cable, then SIGKILL its vipd (a dead server: no goodbye to the others)");
        await lab.CrashAsync(owner).ConfigureAwait(false);
        var successor = await cluster.WaitForSingleHolderAsync(vip, TimeSpan.FromSeconds(20), n => n != owner, cancellationToken).ConfigureAwait(false);
        Say(clock, $"{successor.Name} took over {vip} and announced it");

        await WaitAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        var report = await prober.StopAsync().ConfigureAwait(false);
        entry = await lab.Client.NeighborAsync(vip, cancellationToken).ConfigureAwait(false);
        Say(clock, $"the client's ARP entry for the VIP now points at {Describe(lab, entry?.Mac)}");
        Console.WriteLine();
        Console.WriteLine($"  outage seen by the client: {report.LongestGap.TotalMilliseconds:0} ms");
        if (Environment.GetEnvironmentVariable("VIPD_DEMO_LOGS") == "1")
        {
            Console.WriteLine(report);
        }

        Console.WriteLine($"  ({report.Sent} probes sent every {ProbePeriod.TotalMilliseconds:0} ms, {report.Sent - report.Received} unanswered; for comparison keepalived's defaults take ~3.6 s, MetalLB ~4 s or more, kube-vip ~15 s)");
        Console.WriteLine();
        Say(clock, "cleaning up: stopping vipd, deleting the namespaces and the bridge");
        if (Environment.GetEnvironmentVariable("VIPD_DEMO_LOGS") == "1")
        {
            Console.WriteLine(cluster.Logs());
        }

        var healthy = report.Received > 0 && entry?.Mac is not null && entry.Mac.Equals(successor.Mac);
        return healthy ? 0 : 1;
    }

    private static string Describe(LabNetwork lab, System.Net.NetworkInformation.PhysicalAddress? mac) =>
        mac is null ? "nobody (no entry)"
        : lab.HostWithMac(mac) is { } host ? $"{host.Name} ({mac.ToColonString()})"
        : mac.ToColonString();

    private static void Say(Stopwatch clock, string text) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{clock.Elapsed.TotalSeconds,5:0.0} s] {text}"));

    private static Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken) => Task.Delay(delay, cancellationToken);
}
