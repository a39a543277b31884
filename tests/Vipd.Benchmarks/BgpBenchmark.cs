using System.Globalization;
using Vipd.Lab;
using Vipd.Lab.Daemon;

namespace Vipd.Benchmarks;

/// <summary>
/// BGP mode as a client behind the router sees it: the BGP lab (<see cref="BgpLab"/>: a router running FRR with ECMP
/// and BFD, three nodes each with vipd and its own FRR), one active-standby BGP VIP, the remote client probing it over
/// ICMP every 5 ms. Unplanned: the owner's cable is pulled, then vipd and its FRR are SIGKILLed; the gap is the longest
/// time between answered probes. Planned: SIGTERM on the owner (its successor advertises first). `--runs` trials
/// (default 20); VIPD_PROFILE (default "fast"), VIPD_BFD_MS (default 50, multiplier 3).
/// </summary>
internal static class BgpBenchmark
{
    private static readonly TimeSpan ProbePeriod = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        if (!await LabBenchmark.RequireRootAsync("bgp").ConfigureAwait(false))
        {
            return 2;
        }

        if (!LabFrr.IsInstalled)
        {
            Console.Error.WriteLine("bgp: FRR is not installed (tests/install-deps installs it)");
            return 2;
        }

        var profile = Environment.GetEnvironmentVariable("VIPD_PROFILE") ?? "fast";
        var bfdMs = int.Parse(Environment.GetEnvironmentVariable("VIPD_BFD_MS") ?? "50", CultureInfo.InvariantCulture);
        var trials = options.Runs == 5 ? 20 : options.Runs;
        var table = new BenchmarkTable($"bgp active-standby (profile {profile}, BFD 3 x {bfdMs} ms)", trials);
        table.Fact("method", "router (FRR, ECMP, BFD) + 3 nodes (vipd + FRR each) + remote client behind the router in netns; ICMP probe every 5 ms from the remote client; gap = longest time between answered probes");
        table.Fact("vipd", VipdBinary.Find());
        var crashGap = table.Get("crash outage at the remote client (cable pulled, then vipd and FRR SIGKILLed)", 400);
        var plannedGap = table.Get("planned stop gap (SIGTERM)", ProbePeriod.TotalMilliseconds * 2);
        var plannedLost = table.Get("planned stop probes lost (count, not ms)", 0);

        await using var bgp = await BgpLab.StartAsync(VipdBinary.Find(), policy: "active-standby", bfdInterval: TimeSpan.FromMilliseconds(bfdMs), logLevel: "warning", profile: profile).ConfigureAwait(false);
        await bgp.WaitForSessionsAsync(Settle).ConfigureAwait(false);
        for (var trial = 0; trial < trials; trial++)
        {
            var owner = await StableAdvertiserAsync(bgp).ConfigureAwait(false);
            await using (var prober = Prober.Start(bgp.Lab.RemoteClient!, BgpLab.Vip, ProbePeriod, ProbeKind.Icmp))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(300)).ConfigureAwait(false);
                await bgp.CrashAsync(owner).ConfigureAwait(false);
                var successor = await bgp.WaitForSingleAdvertiserAsync(Settle, n => n != owner).ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
                var report = await prober.StopAsync().ConfigureAwait(false);
                crashGap.Add(report.LongestGap.TotalMilliseconds);
                Console.Error.WriteLine($"crash   {trial + 1}/{trials}: {owner.Name} -> {successor.Name}, gap {report.LongestGap.TotalMilliseconds:0.0} ms, {report.Lost} lost");
            }

            await bgp.ReviveAsync(owner).ConfigureAwait(false);
            await bgp.WaitForSessionsAsync(Settle).ConfigureAwait(false);
            owner = await StableAdvertiserAsync(bgp).ConfigureAwait(false);
            await using (var prober = Prober.Start(bgp.Lab.RemoteClient!, BgpLab.Vip, ProbePeriod, ProbeKind.Icmp))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(300)).ConfigureAwait(false);
                await bgp.Cluster.StopAsync(owner, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                var successor = await bgp.WaitForSingleAdvertiserAsync(Settle, n => n != owner).ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
                var report = await prober.StopAsync().ConfigureAwait(false);
                plannedGap.Add(report.LongestGap.TotalMilliseconds);
                plannedLost.Add(report.Lost);
                Console.Error.WriteLine($"planned {trial + 1}/{trials}: {owner.Name} -> {successor.Name}, gap {report.LongestGap.TotalMilliseconds:0.0} ms, {report.Lost} lost");
            }

            bgp.Cluster.Start(owner);
            await bgp.WaitForSessionsAsync(Settle).ConfigureAwait(false);
        }

        Console.WriteLine(table.Format());
        if (options.JsonPath is { } path)
        {
            await using var file = File.Create(path);
            table.WriteJson(file);
            Console.Error.WriteLine($"wrote {path}");
        }

        return 0;
    }

    /// <summary>The advertiser once the same node has advertised alone for a second (a revived node may preempt first).</summary>
    private static async Task<LabHost> StableAdvertiserAsync(BgpLab bgp)
    {
        for (var i = 0; i < 30; i++)
        {
            var first = await bgp.WaitForSingleAdvertiserAsync(Settle).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(1.5)).ConfigureAwait(false);
            var second = await bgp.WaitForSingleAdvertiserAsync(Settle).ConfigureAwait(false);
            if (first == second)
            {
                return second;
            }
        }

        throw new TimeoutException("the BGP VIP never settled on one advertiser");
    }
}
