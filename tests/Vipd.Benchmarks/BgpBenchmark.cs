using System.Globalization;
using Vipd.Lab;
using Vipd.Lab.Daemon;

namespace Vipd.Benchmarks;

/// <summary>
/// BGP mode as a client behind the router sees it, in the BGP lab (<see cref="BgpLab"/>: a router running FRR with
/// ECMP, BFD and L4 multipath hashing, three nodes each with vipd and its own FRR), one BGP VIP, the remote client
/// sending <see cref="Flows"/> UDP flows (distinct source ports, so the router spreads them over its next hops) to each
/// node's <see cref="UdpEcho"/>, one probe per flow every 5 ms. One table per policy (<c>VIPD_BGP_POLICY</c>, default
/// "active-standby,active-active") and BFD interval (<c>VIPD_BFD_MS</c>, default "50,100"; multiplier 3). Each trial:
/// a crash (cable first, then SIGKILL of vipd and its FRR) of the owner (active-standby) or of one advertiser in turn
/// (active-active), measured as the worst flow's longest gap, the share of flows that lost a probe and those flows'
/// gaps; the node is revived; a drain (<c>vipctl drain</c>) and a planned stop (SIGTERM) of the same kind of node,
/// measured as the probes lost over all flows and the worst gap. After the trials, the advertise and withdraw
/// latency: a file check is failed and passed on one node and <see cref="BgpWatch"/> times the VIP on the node's
/// <c>lo</c> against the router's FIB. <c>--runs</c> trials (default 20); <c>VIPD_PROFILE</c> (default "fast"),
/// <c>VIPD_BGP_FLOWS</c> (default 32), <c>VIPD_BGP_LATENCY_N</c> (default 20 per direction), <c>VIPD_LOG_LEVEL</c>
/// (default "warning").
/// </summary>
internal static class BgpBenchmark
{
    private const string ActiveStandby = "active-standby";
    private const string ActiveActive = "active-active";
    private static readonly TimeSpan ProbePeriod = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    /// <summary><c>VIPD_BGP_TRACE=1</c>: print every trial's time line, not only the outliers'.</summary>
    private static bool Trace => Environment.GetEnvironmentVariable("VIPD_BGP_TRACE") == "1";

    private static int Flows => int.Parse(Environment.GetEnvironmentVariable("VIPD_BGP_FLOWS") ?? "32", CultureInfo.InvariantCulture);

    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!await LabBenchmark.RequireRootAsync("bgp").ConfigureAwait(false))
        {
            return 2;
        }

        if (!LabFrr.IsInstalled)
        {
            await Console.Error.WriteLineAsync("bgp: FRR is not installed (tests/install-deps installs it)").ConfigureAwait(false);
            return 2;
        }

        var policies = List("VIPD_BGP_POLICY", $"{ActiveStandby},{ActiveActive}");
        var bfds = List("VIPD_BFD_MS", "50,100").Select(b => int.Parse(b, CultureInfo.InvariantCulture)).ToList();
        if (policies.Except([ActiveStandby, ActiveActive]).FirstOrDefault() is { } unknown)
        {
            await Console.Error.WriteLineAsync($"bgp: VIPD_BGP_POLICY: unknown policy {unknown}").ConfigureAwait(false);
            return 2;
        }

        var trials = options.Runs == 5 ? 20 : options.Runs; // >= 20 trials; 5 is the shared default
        var tables = new List<BenchmarkTable>();
        foreach (var policy in policies)
        {
            foreach (var bfd in bfds)
            {
                var table = await MeasureAsync(policy, bfd, trials).ConfigureAwait(false);
                Console.WriteLine(table.Format());
                tables.Add(table);
            }
        }

        await BenchmarkTable.EmitAsync(tables, options.JsonPath, print: false).ConfigureAwait(false); // printed as measured

        return 0;
    }

    private static List<string> List(string variable, string fallback) =>
        [.. (Environment.GetEnvironmentVariable(variable) ?? fallback).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static async Task<BenchmarkTable> MeasureAsync(string policy, int bfdMs, int trials)
    {
        var profile = Environment.GetEnvironmentVariable("VIPD_PROFILE") ?? "fast";
        var logLevel = Environment.GetEnvironmentVariable("VIPD_LOG_LEVEL") ?? "warning";
        var latencyN = int.Parse(Environment.GetEnvironmentVariable("VIPD_BGP_LATENCY_N") ?? "20", CultureInfo.InvariantCulture);
        var activeStandby = policy == ActiveStandby;
        var table = new BenchmarkTable($"bgp {policy}, BFD 3 x {bfdMs} ms (profile {profile})", trials);
        table.Fact("method", $"router (FRR, ECMP, BFD 3 x {bfdMs} ms, fib_multipath_hash_policy=1) + 3 nodes (vipd + FRR each) + remote client behind the router, in netns; {Flows} UDP flows (distinct source ports) from the remote client to the VIP, a probe per flow every 5 ms, echoed by the node that gets it; gap = longest time between answered probes of a flow");
        table.Fact("crash", "cable pulled, then vipd and FRR SIGKILLed (" + (activeStandby ? "the owner" : "one advertiser, in turn") + "); outage = the worst flow's gap; a flow broke when it lost a probe");
        table.Fact("planned", "drain = `vipctl drain --wait 10s` on " + (activeStandby ? "the owner" : "one advertiser") + " (then undrain); stop = SIGTERM; probes lost summed over all flows");
        table.Fact("latency", "decision = the VIP appearing on / leaving the node's lo (`ip -ts monitor address` in the node), FIB = the router's route gaining / losing that next hop (`ip -ts monitor route` in the router); triggered by a file check failing / passing");
        table.Fact("vipd", MachineFacts.Relative(VipdBinary.Find()));
        if (activeStandby && bfdMs == 50)
        {
            table.Fact("targets", "crash p50 <= 200 ms and p99 <= 400 ms (issue 12); drain 0 probes lost; advertise/withdraw <= 150 ms");
        }

        var figures = new Figures(table, activeStandby && bfdMs == 50);
        var ready = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var bgp = await BgpLab.StartAsync(
            VipdBinary.Find(),
            policy: policy,
            bfdInterval: TimeSpan.FromMilliseconds(bfdMs),
            logLevel: logLevel,
            profile: profile,
            vipExtra: "checks = [\"ready\"]",
            nodeExtra: node => ReadyCheck(node, ready)).ConfigureAwait(false);
        await bgp.UseL4MultipathHashAsync().ConfigureAwait(false);
        var echoes = bgp.Lab.Nodes.ToDictionary(n => n.Name, n => UdpEcho.Start(n), StringComparer.Ordinal);
        var watch = await BgpWatch.StartAsync(bgp).ConfigureAwait(false);
        var trial = new Trial(bgp, watch, policy, figures);
        await bgp.WaitForSessionsAsync(Settle).ConfigureAwait(false);
        for (var i = 0; i < trials; i++)
        {
            var label = $"{policy} bfd {bfdMs} {i + 1}/{trials}";
            var victim = await trial.SettledAsync(i).ConfigureAwait(false);
            await trial.CrashAsync(victim, label).ConfigureAwait(false);
            await bgp.ReviveAsync(victim).ConfigureAwait(false);
            echoes[victim.Name] = UdpEcho.Start(victim);
            watch.Restart(victim);
            await bgp.WaitForSessionsAsync(Settle).ConfigureAwait(false);

            victim = await trial.SettledAsync(i).ConfigureAwait(false);
            await trial.DrainAsync(victim, label).ConfigureAwait(false);

            victim = await trial.SettledAsync(i).ConfigureAwait(false);
            await trial.StopAsync(victim, label).ConfigureAwait(false);
        }

        await trial.LatencyAsync(ready, latencyN).ConfigureAwait(false);
        table.Fact("router BFD session-down events (each crash makes one)", await BfdDownsAsync(bgp).ConfigureAwait(false));
        table.Fact("probes lost in all drains", figures.DrainLostInAll.ToString(CultureInfo.InvariantCulture));
        table.Fact("probes lost in all planned stops", figures.StopLostInAll.ToString(CultureInfo.InvariantCulture));
        return table;
    }

    /// <summary>
    /// The router's BFD session-down count per node (<c>show bfd peers counters json</c>): one per crash of that node;
    /// more means BFD declared a live node down (a starved bfdd on a busy machine at 3 x 50 ms), which drops its paths.
    /// </summary>
    private static async Task<string> BfdDownsAsync(BgpLab bgp)
    {
        var result = await bgp.Router.VtyshAsync("show bfd peers counters json").ConfigureAwait(false);
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(result.StdOut);
            var counts = new List<string>();
            foreach (var peer in json.RootElement.EnumerateArray())
            {
                var address = peer.TryGetProperty("peer", out var p) ? p.GetString() : "?";
                var name = bgp.Lab.Nodes.FirstOrDefault(n => n.IPv4.ToString() == address)?.Name ?? address;
                var downs = peer.TryGetProperty("session-down", out var d) ? d.GetInt64().ToString(CultureInfo.InvariantCulture) : "?";
                counts.Add($"{name} {downs}");
            }

            return string.Join(", ", counts);
        }
        catch (System.Text.Json.JsonException)
        {
            return $"unreadable: {result.StdOut}{result.StdErr}";
        }
    }

    /// <summary>A file check per node (the file exists: passing), 100 ms interval, rise and fall 1: the latency phase flips it.</summary>
    private static string ReadyCheck(LabHost node, Dictionary<string, string> ready)
    {
        var path = Path.Combine(node.Network.WorkDirectory, node.Name + ".ready");
        File.WriteAllText(path, "ok\n");
        ready[node.Name] = path;
        return $"""
            [[check]]
            name = "ready"
            type = "file"
            path = "{path}"
            interval = "100ms"
            timeout = "100ms"
            rise = 1
            fall = 1
            """;
    }

    /// <summary>One combination's measurements.</summary>
    private sealed class Figures(BenchmarkTable table, bool targets)
    {
        public Measurement CrashOutage { get; } = table.Get("crash outage at the client (worst flow's gap)", targets ? 400 : null);

        public Measurement CrashBrokenShare { get; } = table.Get("crash: flows that lost a probe (%, not ms)");

        public Measurement CrashBrokenGap { get; } = table.Get("crash: gap of each flow that lost a probe");

        public Measurement CrashMovedShare { get; } = table.Get("crash: flows answered by another node afterwards (%, not ms)");

        public Measurement CrashFibDropped { get; } = table.Get("crash: router FIB drops the dead next hop, after the cable pull (BFD)");

        public Measurement CrashSuccessorLo { get; } = table.Get("crash: successor adds the VIP to lo, after the cable pull (election)");

        public Measurement CrashSuccessorFib { get; } = table.Get("crash: router FIB has the successor's next hop, after the cable pull");

        public Measurement DrainLost { get; } = table.Get("drain: probes lost, all flows (count, not ms)", 0);

        public Measurement DrainGap { get; } = table.Get("drain: worst flow's gap");

        public Measurement StopLost { get; } = table.Get("planned stop (SIGTERM): probes lost, all flows (count, not ms)", 0);

        public Measurement StopGap { get; } = table.Get("planned stop (SIGTERM): worst flow's gap");

        public Measurement Advertise { get; } = table.Get("advertise: VIP on lo -> next hop in the router's FIB", 150);

        public Measurement Withdraw { get; } = table.Get("withdraw: VIP off lo -> next hop gone from the router's FIB", 150);

        public long DrainLostInAll { get; set; }

        public long StopLostInAll { get; set; }
    }

    /// <summary>The steps of a trial against one lab.</summary>
    private sealed class Trial(BgpLab bgp, BgpWatch watch, string policy, Figures figures)
    {
        private bool ActiveStandby => policy == BgpBenchmark.ActiveStandby;

        private IReadOnlyList<LabHost> Nodes => bgp.Lab.Nodes;

        /// <summary>
        /// Waits until the lab is settled and returns the node to act on: active-standby, the owner once the same node
        /// has advertised alone for 1.5 s (a revived node may preempt first); active-active, every node in the router's
        /// FIB, and the nodes in turn.
        /// </summary>
        public async Task<LabHost> SettledAsync(int turn)
        {
            await bgp.WaitForSessionsAsync(Settle).ConfigureAwait(false);
            if (!ActiveStandby)
            {
                await bgp.WaitForNextHopsAsync(Nodes, Settle).ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
                return Nodes[turn % Nodes.Count];
            }

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

        /// <summary>
        /// Waits until <paramref name="gone"/> no longer carries the VIP's traffic: another single advertiser (returned),
        /// or the other next hops (active-active: null).
        /// </summary>
        private async Task<LabHost?> WaitWithoutAsync(LabHost gone)
        {
            if (ActiveStandby)
            {
                return await bgp.WaitForSingleAdvertiserAsync(Settle, n => n != gone).ConfigureAwait(false);
            }

            await bgp.WaitForNextHopsAsync(Nodes.Where(n => n != gone), Settle).ConfigureAwait(false);
            return null;
        }

        public async Task CrashAsync(LabHost victim, string label)
        {
            IReadOnlyList<FlowReport> flows;
            DateTime crashedAt;
            LabHost? successor;
            await using (var prober = FlowProber.Start(bgp.Lab.RemoteClient!, BgpLab.Vip, Flows, ProbePeriod))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(300)).ConfigureAwait(false);
                crashedAt = DateTime.Now;
                await bgp.CrashAsync(victim).ConfigureAwait(false);
                successor = await WaitWithoutAsync(victim).ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
                flows = await prober.StopAsync().ConfigureAwait(false);
            }

            var worst = flows.MaxBy(f => f.LongestGap)!;
            var broken = flows.Where(f => f.Lost > 0).ToList();
            figures.CrashOutage.Add(worst.LongestGap.TotalMilliseconds);
            figures.CrashBrokenShare.Add(100.0 * broken.Count / flows.Count);
            figures.CrashMovedShare.Add(100.0 * flows.Count(f => f.Moved) / flows.Count);
            foreach (var flow in broken)
            {
                figures.CrashBrokenGap.Add(flow.LongestGap.TotalMilliseconds);
            }

            // The parts of the outage, from the netlink time lines: the router dropping the dead path, the successor deciding, its route arriving.
            var until = crashedAt + TimeSpan.FromSeconds(10);
            var routes = watch.RouteEvents().Where(r => r.At >= crashedAt && r.At < until).ToList();
            var dropped = routes.FirstOrDefault(r => !r.Hops.Contains(victim.IPv4));
            if (dropped is not null)
            {
                figures.CrashFibDropped.Add((dropped.At - crashedAt).TotalMilliseconds);
            }

            var summary = $"worst gap {worst.LongestGap.TotalMilliseconds:0.0} ms, {broken.Count}/{flows.Count} flows broke, {flows.Count(f => f.Moved)} moved";
            // The successor (the single advertiser once the victim is gone): when it bound the VIP, when its route reached the FIB.
            if (successor is not null && watch.AddressEvents().FirstOrDefault(e => e.Added && e.Node == successor && e.At >= crashedAt && e.At < until) is { } bound)
            {
                figures.CrashSuccessorLo.Add((bound.At - crashedAt).TotalMilliseconds);
                var inFib = routes.FirstOrDefault(r => r.At >= bound.At && r.Hops.Contains(successor.IPv4));
                if (inFib is not null)
                {
                    figures.CrashSuccessorFib.Add((inFib.At - crashedAt).TotalMilliseconds);
                }

                summary += $"; {successor.Name} on lo after {(bound.At - crashedAt).TotalMilliseconds:0} ms, in the FIB after {((inFib?.At ?? until) - crashedAt).TotalMilliseconds:0} ms";
            }

            summary += dropped is null ? "" : $"; dead path dropped after {(dropped.At - crashedAt).TotalMilliseconds:0} ms";
            Console.Error.WriteLine($"crash   {label}: {victim.Name} crashed, {summary}");
            if (worst.LongestGap > TimeSpan.FromMilliseconds(400) || Trace)
            {
                Outlier("crash", crashedAt, worst);
            }
        }

        public async Task DrainAsync(LabHost victim, string label)
        {
            IReadOnlyList<FlowReport> flows;
            var startedAt = DateTime.Now;
            await using (var prober = FlowProber.Start(bgp.Lab.RemoteClient!, BgpLab.Vip, Flows, ProbePeriod))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(300)).ConfigureAwait(false);
                startedAt = DateTime.Now;
                await VipctlAsync(victim, "drain", "--wait", "10s").ConfigureAwait(false);
                await WaitWithoutAsync(victim).ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromMilliseconds(700)).ConfigureAwait(false);
                flows = await prober.StopAsync().ConfigureAwait(false);
            }

            await VipctlAsync(victim, "undrain").ConfigureAwait(false);
            var lost = flows.Sum(f => f.Lost);
            var worst = flows.MaxBy(f => f.LongestGap)!;
            figures.DrainLost.Add(lost);
            figures.DrainGap.Add(worst.LongestGap.TotalMilliseconds);
            figures.DrainLostInAll += lost;
            Console.Error.WriteLine($"drain   {label}: {victim.Name} drained, {lost} probes lost in {flows.Count(f => f.Lost > 0)}/{flows.Count} flows, worst gap {worst.LongestGap.TotalMilliseconds:0.0} ms");
            if (lost > 0 || Trace)
            {
                Outlier("drain", startedAt, worst);
            }
        }

        public async Task StopAsync(LabHost victim, string label)
        {
            IReadOnlyList<FlowReport> flows;
            var startedAt = DateTime.Now;
            await using (var prober = FlowProber.Start(bgp.Lab.RemoteClient!, BgpLab.Vip, Flows, ProbePeriod))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(300)).ConfigureAwait(false);
                startedAt = DateTime.Now;
                await bgp.Cluster.StopAsync(victim, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                await WaitWithoutAsync(victim).ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromMilliseconds(700)).ConfigureAwait(false);
                flows = await prober.StopAsync().ConfigureAwait(false);
            }

            var logs = bgp.Cluster.Process(victim).Output;
            bgp.Cluster.Start(victim);
            var lost = flows.Sum(f => f.Lost);
            var worst = flows.MaxBy(f => f.LongestGap)!;
            figures.StopLost.Add(lost);
            figures.StopGap.Add(worst.LongestGap.TotalMilliseconds);
            figures.StopLostInAll += lost;
            Console.Error.WriteLine($"stop    {label}: {victim.Name} stopped, {lost} probes lost in {flows.Count(f => f.Lost > 0)}/{flows.Count} flows, worst gap {worst.LongestGap.TotalMilliseconds:0.0} ms");
            if (lost > 0 || Trace)
            {
                Outlier("stop", startedAt, worst);
                foreach (var line in logs.TakeLast(15))
                {
                    Console.Error.WriteLine($"    {victim.Name}: {line}");
                }
            }
        }

        /// <summary>
        /// Fails and passes the ready check until both directions have <paramref name="n"/> samples (at most 3n
        /// cycles): active-standby on the owner (it withdraws after its linger, the successor advertises; passing, it
        /// may take the VIP back), active-active on the first node.
        /// </summary>
        public async Task LatencyAsync(Dictionary<string, string> ready, int n)
        {
            // Every node's session up and the VIP settled first: a node (re)started just before would time its session, not the hand-off.
            await SettledAsync(0).ConfigureAwait(false);
            var from = DateTime.Now;
            for (var cycle = 0; cycle < 3 * n; cycle++)
            {
                var (sofar, _) = watch.Latencies(from, DateTime.Now);
                if (sofar.Count(s => s.Event.Added) >= n && sofar.Count(s => !s.Event.Added) >= n)
                {
                    break;
                }

                var node = await SettledAsync(0).ConfigureAwait(false);
                File.Delete(ready[node.Name]);
                await WaitWithoutAsync(node).ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromMilliseconds(700)).ConfigureAwait(false);
                await File.WriteAllTextAsync(ready[node.Name], "ok\n").ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromMilliseconds(700)).ConfigureAwait(false);
            }

            await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            var (samples, skipped) = watch.Latencies(from, DateTime.Now);
            foreach (var (e, ms) in samples)
            {
                (e.Added ? figures.Advertise : figures.Withdraw).Add(ms);
            }

            string Text(bool added) => string.Join(", ", samples.Where(s => s.Event.Added == added).Select(s => s.Ms.ToString("0", CultureInfo.InvariantCulture)));
            Console.Error.WriteLine($"latency {policy}: advertise [{Text(true)}] ms, withdraw [{Text(false)}] ms, {skipped} address events left out");
            foreach (var (e, ms) in samples.Where(s => s.Ms > 150))
            {
                Console.Error.WriteLine($"  latency outlier: {e.Node.Name} {(e.Added ? "advertise" : "withdraw")} at {e.At:HH:mm:ss.fff} took {ms:0} ms");
                PrintTimeline(e.At - TimeSpan.FromSeconds(1), e.At + TimeSpan.FromSeconds(1) + TimeSpan.FromMilliseconds(ms));
            }
        }

        /// <summary>Prints the netlink time line around an outlier and the worst flow's gap, to stderr.</summary>
        private void Outlier(string what, DateTime at, FlowReport worst)
        {
            Console.Error.WriteLine($"  {what} outlier: worst flow {worst.Flow} ({worst.FirstResponder} -> {worst.LastResponder}) gap from {worst.LongestGapAt:HH:mm:ss.fff} for {worst.LongestGap.TotalMilliseconds:0} ms, {worst.Lost} lost; action at {at:HH:mm:ss.fff}");
            PrintTimeline(at - TimeSpan.FromSeconds(1), at + TimeSpan.FromSeconds(5));
        }

        /// <summary>The netlink events and every node's vipd log lines between <paramref name="from"/> and <paramref name="to"/>, in time order, to stderr.</summary>
        private void PrintTimeline(DateTime from, DateTime to)
        {
            var lines = watch.Timeline(from, to, Trace).ToList();

            // vipd's console lines begin with HH:mm:ss.fff (local time, as the monitors): merged into the time line.
            foreach (var node in Nodes)
            {
                foreach (var line in bgp.Cluster.Process(node).Output)
                {
                    // SWIM's suspicions and refutations are many on a loaded machine; deaths, takeovers and claims stay.
                    if (line.Contains("suspected by", StringComparison.Ordinal) || line.Contains("Refuted Suspect", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    if (line.Length > 12 && TimeOnly.TryParseExact(line[..12], "HH:mm:ss.fff", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
                        && from.Date.Add(time.ToTimeSpan()) is var stamp && stamp >= from && stamp <= to)
                    {
                        lines.Add($"{line[..12]} {node.Name} vipd: {line[13..]}");
                    }
                }
            }

            foreach (var line in lines.Order(StringComparer.Ordinal))
            {
                Console.Error.WriteLine($"    {line}");
            }
        }

        /// <summary>Runs vipctl against <paramref name="node"/>'s API socket (a file: no packets, no namespace needed).</summary>
        private async Task VipctlAsync(LabHost node, params string[] args)
        {
            var psi = new System.Diagnostics.ProcessStartInfo(VipctlPath()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in (string[])["--socket", bgp.Cluster.SocketPath(node), .. args])
            {
                psi.ArgumentList.Add(arg);
            }

            using var process = System.Diagnostics.Process.Start(psi) ?? throw new InvalidOperationException("cannot start vipctl");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"vipctl {string.Join(' ', args)} on {node.Name} exited {process.ExitCode}: {await stdout.ConfigureAwait(false)}{await stderr.ConfigureAwait(false)}");
            }
        }
    }

    /// <summary><c>VIPCTL_BINARY</c>, else vipctl built beside the vipd of this checkout (src/Vipctl/bin/&lt;configuration&gt;/net10.0/vipctl).</summary>
    private static string VipctlPath()
    {
        if (Environment.GetEnvironmentVariable("VIPCTL_BINARY") is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = directory.Parent?.Name ?? "Release";
        for (var up = directory; up is not null; up = up.Parent)
        {
            if (File.Exists(Path.Combine(up.FullName, "vipd.sln")))
            {
                return Path.Combine(up.FullName, "src", "Vipctl", "bin", configuration, "net10.0", "vipctl");
            }
        }

        throw new DirectoryNotFoundException($"no vipd.sln above {AppContext.BaseDirectory}: set VIPCTL_BINARY");
    }
}
