using System.Diagnostics;
using System.Globalization;
using Vipd.Lab;
using Vipd.Lab.Daemon;

namespace Vipd.Demo;

/// <summary>The BGP demo (<c>bash examples/demo bgp</c>): an active-active VIP advertised by three nodes through FRR, one of them crashes.</summary>
internal static class BgpDemoRun
{
    private static readonly TimeSpan ProbePeriod = TimeSpan.FromMilliseconds(5);

    public static async Task<int> RunAsync(string vipdPath, Stopwatch clock, CancellationToken cancellationToken)
    {
        if (!LabFrr.IsInstalled)
        {
            Console.Error.WriteLine("demo bgp: FRR is not installed (tests/install-deps installs it)");
            return 2;
        }

        var vip = BgpLab.Vip;
        Say(clock, "building a lab: a router running FRR (AS 64512, ECMP, BFD 3 x 50 ms), 3 servers each running vipd and its own FRR (AS 64513), a client behind the router; all in private namespaces");
        await using var bgp = await BgpLab.StartAsync(vipdPath, policy: "active-active", logLevel: "warning").ConfigureAwait(false);
        var lab = bgp.Lab;
        foreach (var node in lab.Nodes)
        {
            Console.WriteLine($"           {node.Name,-6} {node.IPv4,-13} vipd + FRR -N {node.Namespace}");
        }

        Console.WriteLine($"           {"router",-6} {lab.Router!.IPv4,-13} FRR, also 203.0.113.241 towards the client");
        Console.WriteLine($"           {"client",-6} {lab.RemoteClient!.IPv4,-13} on another subnet, behind the router");
        Console.WriteLine($"           VIP \"anycast\" = {vip}/32, mode = \"bgp\", policy = \"active-active\": on lo of every healthy node, no ARP");

        Say(clock, "vipd configured each node's FRR through vtysh (only its own VIPD-* objects) and added the VIP to lo; waiting for the router to learn it from all three");
        await bgp.WaitForNextHopsAsync(lab.Nodes, TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        await ShowRoutesAsync(bgp, "the router's route to the VIP (ECMP over three next hops)").ConfigureAwait(false);

        await using var prober = Prober.Start(lab.RemoteClient, vip, ProbePeriod, ProbeKind.Icmp);
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        var serving = lab.Nodes[0];
        Say(clock, $"the client pings {vip} every {ProbePeriod.TotalMilliseconds:0} ms; the router hashes its flow to one of the three next hops");
        Say(clock, $"crashing {serving.Name}: pull its cable, then SIGKILL its vipd and its FRR (no BGP goodbye)");
        var removed = bgp.WaitForNextHopsAsync(lab.Nodes.Where(n => n != serving), TimeSpan.FromSeconds(30));
        await bgp.CrashAsync(serving).ConfigureAwait(false);
        var (_, after) = await removed.ConfigureAwait(false);
        Say(clock, $"the router's BFD declared {serving.Name} down and removed its next hop {after.TotalMilliseconds:0} ms after the cable was pulled");
        await ShowRoutesAsync(bgp, "the router's route to the VIP now").ConfigureAwait(false);

        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        var report = await prober.StopAsync().ConfigureAwait(false);
        Console.WriteLine();
        Console.WriteLine($"  outage seen by the client: {report.LongestGap.TotalMilliseconds:0} ms ({report.Sent} probes every {ProbePeriod.TotalMilliseconds:0} ms, {report.Lost} unanswered)");
        Console.WriteLine($"  (only a flow the router hashed to {serving.Name} breaks, for about the BFD detection time: 3 x 50 ms here; FRR's default BFD, 3 x 300 ms, would take about 900 ms; without BFD the 3 s hold timer)");
        Console.WriteLine();
        Say(clock, "cleaning up: stopping vipd and FRR, deleting the namespaces and the bridge");
        return report.Received > 0 ? 0 : 1;
    }

    private static async Task ShowRoutesAsync(BgpLab bgp, string title)
    {
        var routes = await bgp.Router.Host.ExecAsync("ip", "route", "show", BgpLab.Vip.ToString()).ConfigureAwait(false);
        Console.WriteLine($"           {title}:");
        foreach (var line in routes.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Console.WriteLine($"             {line.TrimEnd()}");
        }
    }

    private static void Say(Stopwatch clock, string text) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{clock.Elapsed.TotalSeconds,5:0.0} s] {text}"));
}
