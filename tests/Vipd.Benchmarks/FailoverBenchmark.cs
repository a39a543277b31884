using System.Globalization;
using System.Text.Json;
using Vipd.Lab;
using Vipd.Lab.Daemon;

namespace Vipd.Benchmarks;

/// <summary>
/// Failover as a client sees it: 3 real vipd processes in a namespace lab, the client probing the VIP over ICMP every
/// 5 ms. Unplanned, two crashes per trial, each measured as the longest gap between answered probes and followed by
/// bringing the node back: "host died" pulls the owner's cable, then SIGKILLs vipd (a dead server: vipd may see its
/// link go down before it dies); "daemon killed, host alive" SIGKILLs vipd, then takes the link down (the order the
/// benchmark always used). Planned: SIGTERM the owner (vipd hands over first), measure the gap. Idle: bytes each node
/// sends per second with nothing happening. `--runs` is the number of trials of each (default 20).
/// </summary>
internal static class FailoverBenchmark
{
    private static readonly TimeSpan ProbePeriod = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);

    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        if (!await LabBenchmark.RequireRootAsync("failover").ConfigureAwait(false))
        {
            return 2;
        }

        var profile = Environment.GetEnvironmentVariable("VIPD_PROFILE") ?? "default";
        var trials = options.Runs == 5 ? 20 : options.Runs; // the issue asks for >= 20 trials; 5 is the shared default
        var table = new BenchmarkTable($"failover (profile {profile})", trials);
        table.Fact("method", "3 vipd nodes + client in netns; ICMP probe every 5 ms from the client; gap = longest time between answered probes");
        table.Fact("vipd", VipdBinary.Find());
        var unplannedTarget = profile == "fast" ? 60 : 300;
        (string Name, Measurement Gap, Func<LabNetwork, LabHost, Task> Crash)[] crashes =
        [
            ("host died", table.Get("unplanned failover gap, host died (link down, then SIGKILL)", unplannedTarget), (l, n) => l.CrashAsync(n)),
            ("daemon killed, host alive", table.Get("unplanned failover gap, daemon killed, host alive (SIGKILL, then link down)", unplannedTarget), (l, n) => l.KillDaemonHostAliveAsync(n)),
        ];
        var planned = table.Get("planned handover gap (SIGTERM)", ProbePeriod.TotalMilliseconds * 2);
        var lost = table.Get("planned handover probes lost (count, not ms)", 0);
        var lostPlanned = 0L;

        await using var lab = await LabNetwork.CreateAsync(3).ConfigureAwait(false);
        await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find(), new VipdClusterOptions { Profile = profile, LogLevel = "warning" }).ConfigureAwait(false);
        await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, Settle).ConfigureAwait(false);

        var idle = await IdleBytesPerSecondAsync(lab, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        table.Fact("idle bytes/s sent per node (3 nodes, 10 s, all frames on eth0)", string.Join(", ", idle.Select(i => $"{i.Node}={i.BytesPerSecond:0}")));

        for (var trial = 0; trial < trials; trial++)
        {
            LabHost owner;
            foreach (var crash in crashes)
            {
                owner = await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, Settle).ConfigureAwait(false);
                await using (var prober = Prober.Start(lab.Client, LabNetwork.Vip4, ProbePeriod, ProbeKind.Icmp))
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(300)).ConfigureAwait(false);
                    await crash.Crash(lab, owner).ConfigureAwait(false);
                    await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, Settle, n => n != owner).ConfigureAwait(false);
                    await Task.Delay(TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
                    var report = await prober.StopAsync().ConfigureAwait(false);
                    crash.Gap.Add(report.LongestGap.TotalMilliseconds);
                    Console.Error.WriteLine($"unplanned {trial + 1}/{trials} ({crash.Name}): {owner.Name} crashed, gap {report.LongestGap.TotalMilliseconds:0.0} ms");
                }

                await ReviveAsync(cluster, owner).ConfigureAwait(false);
            }

            owner = await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, Settle).ConfigureAwait(false);
            await using (var prober = Prober.Start(lab.Client, LabNetwork.Vip4, ProbePeriod, ProbeKind.Icmp))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(300)).ConfigureAwait(false);
                await cluster.StopAsync(owner, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, Settle, n => n != owner).ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromMilliseconds(300)).ConfigureAwait(false);
                var report = await prober.StopAsync().ConfigureAwait(false);
                planned.Add(report.LongestGap.TotalMilliseconds);
                lost.Add(report.Lost);
                lostPlanned += report.Lost;
                Console.Error.WriteLine($"planned   {trial + 1}/{trials}: {owner.Name} stopped, gap {report.LongestGap.TotalMilliseconds:0.0} ms, {report.Lost} probes lost");
            }

            cluster.Start(owner);
            await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }

        table.Fact("probes lost in all planned handovers", lostPlanned.ToString(CultureInfo.InvariantCulture));
        Console.WriteLine(table.Format());
        if (options.JsonPath is { } path)
        {
            await using var file = File.Create(path);
            table.WriteJson(file);
            Console.Error.WriteLine($"wrote {path}");
        }

        return 0;
    }

    private static async Task ReviveAsync(VipdCluster cluster, LabHost node)
    {
        await node.SetLinkAsync(true).ConfigureAwait(false);
        cluster.Start(node);
        await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<(string Node, double BytesPerSecond)>> IdleBytesPerSecondAsync(LabNetwork lab, TimeSpan window)
    {
        var before = new Dictionary<string, long>();
        foreach (var node in lab.Nodes)
        {
            before[node.Name] = await TxBytesAsync(node).ConfigureAwait(false);
        }

        await Task.Delay(window).ConfigureAwait(false);
        var result = new List<(string, double)>();
        foreach (var node in lab.Nodes)
        {
            var after = await TxBytesAsync(node).ConfigureAwait(false);
            result.Add((node.Name, (after - before[node.Name]) / window.TotalSeconds));
        }

        return result;
    }

    private static async Task<long> TxBytesAsync(LabHost node)
    {
        var result = await node.ExecAsync("ip", "-j", "-s", "link", "show", "dev", node.Interface).ConfigureAwait(false);
        using var json = JsonDocument.Parse(result.StdOut);
        return json.RootElement[0].GetProperty("stats64").GetProperty("tx").GetProperty("bytes").GetInt64();
    }
}
