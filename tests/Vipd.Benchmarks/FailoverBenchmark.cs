using System.Globalization;
using System.Text.Json;
using Vipd.Lab;
using Vipd.Lab.Daemon;
using Vipd.Lab.Keepalived;

namespace Vipd.Benchmarks;

/// <summary>
/// Failover as a client sees it, vipd and keepalived side by side in one run. Two labs of the same shape (3 nodes and a
/// client on a private bridge), one running vipd, one running Debian's keepalived at the equivalent setting (profile
/// default: VRRPv2 <c>advert_int 1</c>; fast: VRRPv3 <c>advert_int 0.02</c>); the client probes the VIP over ICMP every
/// 5 ms. Each trial, first for vipd, then for keepalived (interleaved, so both see the same machine load): two crashes
/// of the VIP's holder, each measured as the longest gap between answered probes and followed by bringing the node
/// back: "host died" (<see cref="LabNetwork.CrashAsync"/>: the cable first, then SIGKILL, as a dead server) and
/// "daemon killed, host alive" (<see cref="LabNetwork.KillDaemonHostAliveAsync"/>); then a planned stop (SIGTERM),
/// with its gap and probes lost. Before the trials, idle: RSS of every process in each node's namespace and bytes each
/// node sends per second. <c>--runs</c> is the number of trials (default 20); <c>VIPD_PROFILE</c> is "default",
/// "fast" or "default,fast".
/// </summary>
internal static class FailoverBenchmark
{
    private static readonly TimeSpan ProbePeriod = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        if (!await LabBenchmark.RequireRootAsync("failover").ConfigureAwait(false))
        {
            return 2;
        }

        if (!LabKeepalived.IsInstalled)
        {
            await Console.Error.WriteLineAsync($"failover: keepalived is not installed ({LabKeepalived.Binary}); run tests/install-deps").ConfigureAwait(false);
            return 2;
        }

        var machine = MachineFacts.Capture();
        var tables = await MeasureAsync(options, Profiles("default")).ConfigureAwait(false);
        await BenchmarkTable.EmitAsync(tables, options.JsonPath).ConfigureAwait(false);

        if (options.MarkdownPath is { } markdown)
        {
            await MarkdownReport.WriteAsync(markdown, machine, tables, []).ConfigureAwait(false);
            Console.Error.WriteLine($"wrote {markdown}");
        }

        return 0;
    }

    /// <summary>The profiles to measure: <c>VIPD_PROFILE</c> ("default", "fast", or both comma-separated), else <paramref name="fallback"/>.</summary>
    public static IReadOnlyList<string> Profiles(string fallback) =>
        (Environment.GetEnvironmentVariable("VIPD_PROFILE") ?? fallback).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Measures every profile of <paramref name="profiles"/>: one table each, vipd's and keepalived's figures and their ratios.</summary>
    public static async Task<IReadOnlyList<BenchmarkTable>> MeasureAsync(BenchmarkOptions options, IReadOnlyList<string> profiles)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(profiles);
        var trials = options.Runs == 5 ? 20 : options.Runs; // >= 20 trials; 5 is the shared default
        var tables = new List<BenchmarkTable>();
        foreach (var profile in profiles)
        {
            tables.Add(await MeasureProfileAsync(profile, trials).ConfigureAwait(false));
        }

        return tables;
    }

    private static async Task<BenchmarkTable> MeasureProfileAsync(string profile, int trials)
    {
        var keepalivedProfile = KeepalivedProfile.ByName(profile);
        var table = new BenchmarkTable($"failover (profile {profile}): vipd and keepalived", trials);
        table.Fact("method", "two labs of the same shape (3 nodes + client in netns, private bridge), one per daemon, trials interleaved; ICMP probe every 5 ms from the client; gap = longest time between answered probes");
        table.Fact("crash", "host died = eth0 down, then SIGKILL of everything in the node's namespace; daemon killed, host alive = SIGKILL, then eth0 down; planned = SIGTERM");
        table.Fact("vipd", $"{MachineFacts.Relative(VipdBinary.Find())} (profile {profile})");
        table.Fact("keepalived", $"{LabKeepalived.Binary} {await KeepalivedVersionAsync().ConfigureAwait(false)} (VRRPv{keepalivedProfile.VrrpVersion}, advert_int {keepalivedProfile.AdvertIntText}, multicast, priorities 102/101/100, preempt and everything else at keepalived's defaults)");
        double? unplannedTarget = profile == "fast" ? 60 : 300;
        var vipdFigures = new Figures("vipd", table, unplannedTarget, ProbePeriod.TotalMilliseconds * 2, 0);
        var keepalivedFigures = new Figures("keepalived", table, null, null, null);

        await using var vipdLab = await LabNetwork.CreateAsync(3).ConfigureAwait(false);
        await using var cluster = await VipdCluster.StartAsync(vipdLab, VipdBinary.Find(), new VipdClusterOptions { Profile = profile, LogLevel = "warning" }).ConfigureAwait(false);
        await using var keepalivedLab = await LabNetwork.CreateAsync(3).ConfigureAwait(false);
        await using var keepalived = await LabKeepalived.StartAsync(keepalivedLab, keepalivedProfile).ConfigureAwait(false);
        Subject[] subjects = [new VipdSubject(vipdLab, cluster, vipdFigures), new KeepalivedSubject(keepalivedLab, keepalived, keepalivedFigures)];
        foreach (var subject in subjects)
        {
            await subject.WaitForSettledAsync().ConfigureAwait(false);
        }

        await IdleAsync(table, subjects).ConfigureAwait(false);
        for (var trial = 0; trial < trials; trial++)
        {
            foreach (var subject in subjects)
            {
                await TrialAsync(subject, $"{trial + 1}/{trials}").ConfigureAwait(false);
            }
        }

        foreach (var subject in subjects)
        {
            table.Fact($"{subject.Name}: probes lost in all planned handovers", subject.Figures.LostInAll.ToString(CultureInfo.InvariantCulture));
        }

        table.Ratio("keepalived/vipd, crash gap (host died)", keepalivedFigures.HostDied, vipdFigures.HostDied);
        table.Ratio("keepalived/vipd, crash gap (daemon killed, host alive)", keepalivedFigures.DaemonKilled, vipdFigures.DaemonKilled);
        table.Ratio("keepalived/vipd, planned handover gap", keepalivedFigures.Planned, vipdFigures.Planned);
        return table;
    }

    /// <summary>Two crashes and a planned stop of <paramref name="subject"/>'s VIP holder, each measured at the client.</summary>
    private static async Task TrialAsync(Subject subject, string label)
    {
        var lab = subject.Lab;
        (string Name, Measurement Gap, Func<LabHost, Task> Crash)[] crashes =
        [
            ("host died", subject.Figures.HostDied, lab.CrashAsync),
            ("daemon killed, host alive", subject.Figures.DaemonKilled, lab.KillDaemonHostAliveAsync),
        ];
        LabHost owner;
        foreach (var (name, gap, crash) in crashes)
        {
            owner = await subject.WaitForHolderAsync().ConfigureAwait(false);
            await using (var prober = Prober.Start(lab.Client, LabNetwork.Vip4, ProbePeriod, ProbeKind.Icmp))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(300)).ConfigureAwait(false);
                await crash(owner).ConfigureAwait(false);
                await subject.WaitForHolderAsync(n => n != owner).ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
                var report = await prober.StopAsync().ConfigureAwait(false);
                gap.Add(report.LongestGap.TotalMilliseconds);
                Console.Error.WriteLine($"{subject.Name,-10} unplanned {label} ({name}): {owner.Name} crashed, gap {report.LongestGap.TotalMilliseconds:0.0} ms");
            }

            await subject.ReviveAsync(owner).ConfigureAwait(false);
        }

        owner = await subject.WaitForHolderAsync().ConfigureAwait(false);
        await using (var prober = Prober.Start(lab.Client, LabNetwork.Vip4, ProbePeriod, ProbeKind.Icmp))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(300)).ConfigureAwait(false);
            await subject.StopAsync(owner).ConfigureAwait(false);
            await subject.WaitForHolderAsync(n => n != owner).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromMilliseconds(300)).ConfigureAwait(false);
            var report = await prober.StopAsync().ConfigureAwait(false);
            subject.Figures.Planned.Add(report.LongestGap.TotalMilliseconds);
            subject.Figures.Lost.Add(report.Lost);
            subject.Figures.LostInAll += report.Lost;
            Console.Error.WriteLine($"{subject.Name,-10} planned   {label}: {owner.Name} stopped, gap {report.LongestGap.TotalMilliseconds:0.0} ms, {report.Lost} probes lost");
        }

        await subject.RestartAsync(owner).ConfigureAwait(false);
    }

    /// <summary>
    /// Idle, settled: the resident memory of every process in each node's namespace (vipd: the daemon; keepalived: its
    /// parent and VRRP child), and the bytes each node sends per second, counted by the kernel on eth0 over the same
    /// window for both labs (every frame: gossip or adverts, ARP, announcements; Ethernet header, no FCS or padding).
    /// </summary>
    private static async Task IdleAsync(BenchmarkTable table, IReadOnlyList<Subject> subjects)
    {
        var nodes = subjects.SelectMany(s => s.Lab.Nodes.Select(n => (Subject: s, Node: n))).ToList();
        var before = new List<long>();
        foreach (var (_, node) in nodes)
        {
            before.Add(await TxBytesAsync(node).ConfigureAwait(false));
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(IdleWindow).ConfigureAwait(false);
        var seconds = watch.Elapsed.TotalSeconds;
        for (var i = 0; i < nodes.Count; i++)
        {
            var (subject, node) = nodes[i];
            var sent = (await TxBytesAsync(node).ConfigureAwait(false) - before[i]) / seconds;
            subject.Figures.IdleBytes.Add(sent);
            var (rss, processes) = await NamespaceRssAsync(node).ConfigureAwait(false);
            subject.Figures.Rss.Add(rss);
            table.Fact(string.Create(CultureInfo.InvariantCulture, $"{subject.Name}: {node.Name} idle"), string.Create(CultureInfo.InvariantCulture, $"{sent:0} B/s sent, RSS {rss:0.0} MiB in {processes}"));
        }
    }

    /// <summary>The summed VmRSS (MiB) of every process in <paramref name="node"/>'s namespace, and what they are.</summary>
    private static async Task<(double MiB, string Processes)> NamespaceRssAsync(LabHost node)
    {
        var pids = await RunToolAsync("ip", "netns", "pids", node.Namespace).ConfigureAwait(false);
        var kilobytes = 0L;
        var names = new List<string>();
        foreach (var word in pids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            try
            {
                var status = await File.ReadAllLinesAsync($"/proc/{word}/status").ConfigureAwait(false);
                var rss = status.FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
                if (rss is not null)
                {
                    kilobytes += long.Parse(rss.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                    names.Add(status[0].Split('\t', 2)[^1].Trim());
                }
            }
            catch (IOException)
            {
                // Exited meanwhile.
            }
        }

        var summary = string.Join(", ", names.GroupBy(n => n, StringComparer.Ordinal).Select(g => g.Count() == 1 ? g.Key : $"{g.Key} x{g.Count()}"));
        return (kilobytes / 1024.0, $"{names.Count} process(es): {summary}");
    }

    private static async Task<long> TxBytesAsync(LabHost node)
    {
        var result = await node.ExecAsync("ip", "-j", "-s", "link", "show", "dev", node.Interface).ConfigureAwait(false);
        using var json = JsonDocument.Parse(result.StdOut);
        return json.RootElement[0].GetProperty("stats64").GetProperty("tx").GetProperty("bytes").GetInt64();
    }

    private static async Task<string> KeepalivedVersionAsync()
    {
        try
        {
            var output = await RunToolAsync(LabKeepalived.Binary, "--version").ConfigureAwait(false);
            return output.Split('\n').FirstOrDefault(l => l.StartsWith("Keepalived", StringComparison.Ordinal))?.Trim() ?? "";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "";
        }
    }

    /// <summary>Runs a short host command (no packets: ip netns pids, keepalived --version) and returns stdout and stderr.</summary>
    private static async Task<string> RunToolAsync(string file, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        return await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false);
    }

    /// <summary>One daemon's measurements in a profile's table, named "DAEMON: …".</summary>
    private sealed class Figures(string name, BenchmarkTable table, double? unplannedTarget, double? plannedTarget, double? lostTarget)
    {
        public Measurement HostDied { get; } = table.Get($"{name}: crash gap, host died (link down, then SIGKILL)", unplannedTarget);

        public Measurement DaemonKilled { get; } = table.Get($"{name}: crash gap, daemon killed, host alive (SIGKILL, then link down)", unplannedTarget);

        public Measurement Planned { get; } = table.Get($"{name}: planned handover gap (SIGTERM)", plannedTarget);

        public Measurement Lost { get; } = table.Get($"{name}: planned handover probes lost (count, not ms)", lostTarget);

        public Measurement Rss { get; } = table.Get($"{name}: idle RSS per node, every process in its namespace (MiB, not ms)");

        public Measurement IdleBytes { get; } = table.Get($"{name}: idle bytes/s sent per node, kernel count on eth0 (not ms)");

        public long LostInAll { get; set; }
    }

    /// <summary>What a trial does to one daemon's lab: the same steps for vipd and keepalived.</summary>
    private abstract class Subject(string name, LabNetwork lab, Figures figures)
    {
        public string Name => name;

        public LabNetwork Lab => lab;

        public Figures Figures => figures;

        /// <summary>Waits until one node holds the VIP, after start-up.</summary>
        public virtual Task WaitForSettledAsync() => WaitForHolderAsync();

        /// <summary>Waits until exactly one live node holds the VIP and satisfies <paramref name="accept"/>; returns it.</summary>
        public abstract Task<LabHost> WaitForHolderAsync(Func<LabHost, bool>? accept = null);

        /// <summary>Brings a crashed node back (link up, daemon started) and lets the cluster settle.</summary>
        public abstract Task ReviveAsync(LabHost node);

        /// <summary>A planned stop: SIGTERM, and the process has ended.</summary>
        public abstract Task StopAsync(LabHost node);

        /// <summary>Starts a node stopped by <see cref="StopAsync"/> again and lets the cluster settle.</summary>
        public abstract Task RestartAsync(LabHost node);
    }

    private sealed class VipdSubject(LabNetwork lab, VipdCluster cluster, Figures figures) : Subject("vipd", lab, figures)
    {
        public override Task<LabHost> WaitForHolderAsync(Func<LabHost, bool>? accept = null) => cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, Settle, accept);

        public override async Task ReviveAsync(LabHost node)
        {
            await node.SetLinkAsync(true).ConfigureAwait(false);
            cluster.Start(node);
            await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }

        public override Task StopAsync(LabHost node) => cluster.StopAsync(node, TimeSpan.FromSeconds(10));

        public override async Task RestartAsync(LabHost node)
        {
            cluster.Start(node);
            await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// keepalived preempts (its default): a revived node of higher priority takes the VIP back after its
    /// Master_Down_Interval, so every revive and restart waits until the highest-priority node holds it again.
    /// </summary>
    private sealed class KeepalivedSubject(LabNetwork lab, LabKeepalived keepalived, Figures figures) : Subject("keepalived", lab, figures)
    {
        public override Task WaitForSettledAsync() => SettledAsync();

        public override Task<LabHost> WaitForHolderAsync(Func<LabHost, bool>? accept = null) => keepalived.WaitForSingleHolderAsync(Settle, accept);

        public override async Task ReviveAsync(LabHost node)
        {
            await keepalived.ReviveAsync(node).ConfigureAwait(false);
            await SettledAsync().ConfigureAwait(false);
        }

        public override Task StopAsync(LabHost node) => keepalived.StopAsync(node, TimeSpan.FromSeconds(10));

        public override async Task RestartAsync(LabHost node)
        {
            keepalived.Start(node);
            await SettledAsync().ConfigureAwait(false);
        }

        private async Task SettledAsync()
        {
            var expected = keepalived.ExpectedMaster(Lab.Nodes);
            await keepalived.WaitForSingleHolderAsync(Settle, n => n == expected).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
        }
    }
}
