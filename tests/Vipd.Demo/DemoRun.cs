using System.Diagnostics;
using System.Globalization;
using Vipd.Lab;
using Vipd.Lab.Daemon;
using Vipd.Lab.Keepalived;

namespace Vipd.Demo;

/// <summary>The demo's story, printed step by step for a newcomer.</summary>
internal static class DemoRun
{
    private static readonly TimeSpan ProbePeriod = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// The vipd story; with <paramref name="compare"/>, the same lab then runs keepalived at the equivalent setting
    /// (profile default: keepalived's defaults, VRRPv2 advert_int 1; fast: VRRPv3 advert_int 0.02) through the same
    /// crash and probe, and both outages are printed with their ratio.
    /// </summary>
    public static async Task<int> RunAsync(string vipdPath, int nodeCount, bool compare, Stopwatch clock, CancellationToken cancellationToken)
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

        Console.WriteLine($"  ({report.Sent} probes sent every {ProbePeriod.TotalMilliseconds:0} ms, {report.Sent - report.Received} unanswered)");
        Console.WriteLine();
        if (Environment.GetEnvironmentVariable("VIPD_DEMO_LOGS") == "1")
        {
            Console.WriteLine(cluster.Logs());
        }

        var healthy = report.Received > 0 && entry?.Mac is not null && entry.Mac.Equals(successor.Mac);
        if (!compare)
        {
            Say(clock, "cleaning up: stopping vipd, deleting the namespaces and the bridge");
            return healthy ? 0 : 1;
        }

        Say(clock, "stopping vipd; the same lab now runs keepalived, for comparison");
        await cluster.DisposeAsync().ConfigureAwait(false);
        var keepalivedOutage = await RunKeepalivedAsync(lab, KeepalivedProfile.ByName(profile), clock, cancellationToken).ConfigureAwait(false);
        Console.WriteLine();
        Console.WriteLine($"  outage seen by the client, same lab, same crash, same probe:");
        var vipdLabel = $"vipd (profile {profile})";
        var keepalivedLabel = $"keepalived ({Settings(KeepalivedProfile.ByName(profile))})";
        var width = Math.Max(vipdLabel.Length, keepalivedLabel.Length);
        Console.WriteLine($"    {vipdLabel.PadRight(width)}  {report.LongestGap.TotalMilliseconds,6:0} ms");
        if (keepalivedOutage is { } k)
        {
            Console.WriteLine($"    {keepalivedLabel.PadRight(width)}  {k.TotalMilliseconds,6:0} ms");
            Console.WriteLine($"    keepalived/vipd: {k.TotalMilliseconds / Math.Max(report.LongestGap.TotalMilliseconds, ProbePeriod.TotalMilliseconds):0.0}x (one run each; the failover benchmark gives p50/p99 over 20 trials: BENCHMARKS.md)");
        }

        Console.WriteLine();
        Say(clock, "cleaning up: stopping keepalived, deleting the namespaces and the bridge");
        return healthy && keepalivedOutage is not null ? 0 : 1;
    }

    /// <summary>
    /// keepalived on every node of <paramref name="lab"/> (vipd stopped, its VIP removed, every link up, the client's
    /// neighbour table empty), the highest-priority master crashed as vipd's owner was; returns the outage, or null
    /// when keepalived did not fail over.
    /// </summary>
    private static async Task<TimeSpan?> RunKeepalivedAsync(LabNetwork lab, KeepalivedProfile profile, Stopwatch clock, CancellationToken cancellationToken)
    {
        var vip = LabKeepalived.Vip;
        foreach (var node in lab.Nodes)
        {
            // vipd was SIGKILLed by the lab: what it left bound goes, as after a reboot; the crashed node's cable goes back in.
            if ((await node.AddressesAsync(cancellationToken).ConfigureAwait(false)).Contains(vip))
            {
                await node.RemoveAddressAsync(vip, 24).ConfigureAwait(false);
            }

            await node.SetLinkAsync(true).ConfigureAwait(false);
        }

        await lab.Client.FlushNeighborsAsync().ConfigureAwait(false);
        await using var keepalived = await LabKeepalived.StartAsync(lab, profile, cancellationToken).ConfigureAwait(false);
        Say(clock, $"started keepalived on {string.Join(", ", lab.Nodes.Select(n => $"{n.Name} (priority {keepalived.Priority(n)})"))}: {Settings(profile)}");
        var master = await keepalived.WaitForSingleHolderAsync(TimeSpan.FromSeconds(20), n => n == keepalived.ExpectedMaster(lab.Nodes), cancellationToken).ConfigureAwait(false);
        Say(clock, $"keepalived elected {master.Name} master: it bound {vip} and announced it with gratuitous ARP");

        await using var prober = Prober.Start(lab.Client, vip, ProbePeriod, ProbeKind.Icmp);
        await WaitAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        var entry = await lab.Client.NeighborAsync(vip, cancellationToken).ConfigureAwait(false);
        Say(clock, $"the client pings {vip} every {ProbePeriod.TotalMilliseconds:0} ms; its ARP entry for the VIP points at {Describe(lab, entry?.Mac)}");

        Say(clock, $"crashing {master.Name}: pull its cable, then SIGKILL its keepalived");
        await lab.CrashAsync(master).ConfigureAwait(false);
        LabHost successor;
        try
        {
            successor = await keepalived.WaitForSingleHolderAsync(TimeSpan.FromSeconds(20), n => n != master, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return null;
        }

        Say(clock, $"{successor.Name} took over {vip} (VRRP: after {profile.MasterDownInterval(keepalived.Priority(successor)).TotalMilliseconds:0} ms without an advert) and announced it");
        await WaitAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        var report = await prober.StopAsync().ConfigureAwait(false);
        entry = await lab.Client.NeighborAsync(vip, cancellationToken).ConfigureAwait(false);
        Say(clock, $"the client's ARP entry for the VIP now points at {Describe(lab, entry?.Mac)}");
        Console.WriteLine($"  outage seen by the client: {report.LongestGap.TotalMilliseconds:0} ms ({report.Sent} probes sent, {report.Sent - report.Received} unanswered)");
        if (Environment.GetEnvironmentVariable("VIPD_DEMO_LOGS") == "1")
        {
            Console.WriteLine(keepalived.Logs());
        }

        return report.Received > 0 && entry?.Mac is not null && entry.Mac.Equals(successor.Mac) ? report.LongestGap : null;
    }

    private static string Settings(KeepalivedProfile profile) =>
        $"VRRPv{profile.VrrpVersion}, advert_int {profile.AdvertIntText}{(profile == KeepalivedProfile.Default ? ", its defaults" : "")}";

    private static string Describe(LabNetwork lab, System.Net.NetworkInformation.PhysicalAddress? mac) =>
        mac is null ? "nobody (no entry)"
        : lab.HostWithMac(mac) is { } host ? $"{host.Name} ({mac.ToColonString()})"
        : mac.ToColonString();

    private static void Say(Stopwatch clock, string text) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{clock.Elapsed.TotalSeconds,5:0.0} s] {text}"));

    private static Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken) => Task.Delay(delay, cancellationToken);
}
