using System.Diagnostics;
using System.Globalization;
using System.Net;
using Vipd.Lab;
using Vipd.Lab.Daemon;

namespace Vipd.Benchmarks;

/// <summary>
/// The rolling upgrade from vipd 0.1.0 that ARCHITECTURE.md ("Rolling upgrade from 0.1.0") documents, run with a real
/// 0.1.0 executable (<c>VIPD_OLD_BINARY</c>, required) and this checkout's (<c>VIPD_BINARY</c> or the build). A 3-node
/// lab starts on 0.1.0 with 10 /32 VIPs (198.51.100.1-5, 203.0.113.1-5); then, one node at a time (n1, n2, n3): SIGTERM
/// to the 0.1.0 process, wait for its exit, start the new executable on the same config, and watch for 10 s at least
/// (20 s at most; earlier than 20 s only once every VIP has been on exactly one node for 3 s). Throughout, every node's
/// <c>ip addr</c> is sampled (the three namespaces in parallel, back to back), giving each VIP's holders over time: two
/// holders at once (and whether one is 0.1.0 and one new: the two clusters a mixed version makes) and no holder; the
/// client probes one VIP held by each node (at the step's start) over ICMP every 5 ms. The new node's log is searched for
/// the EventId 2013 line ("Refusing gossip from ADDRESS: it is wire format 1 …"), which must name every node still on
/// 0.1.0. Each run does this with <c>quorum = true</c> (the documented procedure) and without (the warning's case), each
/// in a fresh lab. <c>--runs</c> is the number of runs (default 5). Every process's full log goes to
/// <c>VIPD_UPGRADE_LOGS</c> (default /tmp/vipd-upgrade-logs), one file per process. Exits 1 when the quorum run does
/// not behave as documented (a VIP on a 0.1.0 and a new node at once, a VIP held by the upgraded minority after step 1,
/// a VIP not on exactly one new node after steps 2 and 3, or a missing 2013 line).
/// </summary>
internal static class UpgradeBenchmark
{
    private const int VipCount = 10;
    private static readonly TimeSpan ProbePeriod = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan BeforeStop = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MinObserve = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxObserve = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Stable = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        if (!await LabBenchmark.RequireRootAsync("upgrade").ConfigureAwait(false))
        {
            return 2;
        }

        var old = Environment.GetEnvironmentVariable("VIPD_OLD_BINARY");
        if (string.IsNullOrEmpty(old) || !File.Exists(old))
        {
            await Console.Error.WriteLineAsync("upgrade: set VIPD_OLD_BINARY to a vipd 0.1.0 executable (e.g. a build of commit 72761c9)").ConfigureAwait(false);
            return 2;
        }

        var current = VipdBinary.Find();
        var logs = Environment.GetEnvironmentVariable("VIPD_UPGRADE_LOGS") ?? Path.Combine(Path.GetTempPath(), "vipd-upgrade-logs");
        Directory.CreateDirectory(logs);
        // This checkout may still call itself 0.1.0 (no release since); the 2013 lines show which one speaks format 2.
        var versions = $"old: '{await VersionAsync(old).ConfigureAwait(false)}' ({old}); new: '{await VersionAsync(current).ConfigureAwait(false)}' ({MachineFacts.Relative(current)}, this checkout at {MachineFacts.Capture().Commit})";
        Mode[] modes = [new(true, options.Runs, versions), new(false, options.Runs, versions)];
        for (var run = 1; run <= options.Runs; run++)
        {
            foreach (var mode in modes)
            {
                await RunOnceAsync(mode, old, current, run, logs).ConfigureAwait(false);
            }
        }

        var tables = modes.Select(m => m.Table).ToList();
        await BenchmarkTable.EmitAsync(tables, options.JsonPath).ConfigureAwait(false);

        var violations = modes[0].Violations;
        Console.Error.WriteLine(violations.Count == 0
            ? "upgrade: the quorum upgrade behaved as documented in every run"
            : $"upgrade: NOT AS DOCUMENTED ({violations.Count}):{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", violations)}");
        Console.Error.WriteLine($"logs in {logs}");
        return violations.Count == 0 ? 0 : 1;
    }

    /// <summary>One lab: 0.1.0 on every node, then each node replaced in turn, every step measured.</summary>
    private static async Task RunOnceAsync(Mode mode, string old, string current, int run, string logDirectory)
    {
        var label = $"run {run}, quorum = {(mode.Quorum ? "true" : "false")}";
        var vips = VipdClusterOptions.ManyVips(VipCount);
        await using var lab = await LabNetwork.CreateAsync(3).ConfigureAwait(false);
        await lab.Client.AddOnLinkRouteAsync(IPAddress.Parse("198.51.100.0"), 24).ConfigureAwait(false);
        await lab.Client.AddOnLinkRouteAsync(IPAddress.Parse("203.0.113.0"), 24).ConfigureAwait(false);
        var clusterOptions = new VipdClusterOptions { Vips = vips, ClusterExtra = mode.Quorum ? "quorum = true" : string.Empty };
        await using var cluster = await VipdCluster.StartAsync(lab, old, clusterOptions).ConfigureAwait(false);
        var processes = lab.Nodes.Select(n => (Name: $"{n.Name}-0.1.0", Process: cluster.Process(n))).ToList();
        var upgraded = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            await WaitForOneHolderEachAsync(cluster, Settle).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            var start = await cluster.HoldersByVipAsync().ConfigureAwait(false);
            mode.Table.Fact($"{label}: before", Describe(lab, start, upgraded));
            for (var step = 1; step <= lab.Nodes.Count; step++)
            {
                var node = lab.Nodes[step - 1];
                var result = await StepAsync(lab, cluster, node, current, upgraded).ConfigureAwait(false);
                processes.Add(($"{node.Name}-new", cluster.Process(node)));
                Record(mode, label, step, node, lab, result);
            }
        }
        finally
        {
            foreach (var (name, process) in processes)
            {
                var file = Path.Combine(logDirectory, $"quorum-{(mode.Quorum ? "on" : "off")}-run{run}-{name}.log");
                await File.WriteAllLinesAsync(file, [$"# {process.CommandLine}", .. process.Output]).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Replaces <paramref name="node"/>'s 0.1.0 process by <paramref name="current"/> and watches the cluster meanwhile.</summary>
    private static async Task<StepResult> StepAsync(LabNetwork lab, VipdCluster cluster, LabHost node, string current, HashSet<string> upgraded)
    {
        var before = await cluster.HoldersByVipAsync().ConfigureAwait(false);
        var probed = lab.Nodes.Select(n => before.Where(p => p.Value.Count == 1 && p.Value[0] == n).Select(p => p.Key).FirstOrDefault())
            .OfType<IPAddress>().ToList();
        if (probed.Count == 0)
        {
            probed.Add(before.Keys.First());
        }

        var clock = Stopwatch.StartNew();
        var isNew = new HashSet<string>(upgraded, StringComparer.Ordinal);
        await using var sampler = HolderSampler.Start(lab, cluster, clock, name => Volatile.Read(ref isNew).Contains(name));
        var probers = probed.Select(v => Prober.Start(lab.Client, v, ProbePeriod, ProbeKind.Icmp, maxDuration: TimeSpan.FromMinutes(2))).ToList();
        try
        {
            await Task.Delay(BeforeStop).ConfigureAwait(false);
            var stopAt = clock.Elapsed;
            await cluster.StopAsync(node, StopTimeout).ConfigureAwait(false);
            var stopped = clock.Elapsed - stopAt;
            var exited = cluster.Process(node).HasExited;
            upgraded.Add(node.Name);
            Volatile.Write(ref isNew, new HashSet<string>(upgraded, StringComparer.Ordinal));
            var startAt = clock.Elapsed;
            var process = cluster.Start(node, current);
            var expected = lab.Nodes.Where(n => !upgraded.Contains(n.Name)).ToList();
            var refused = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
            string? refusal = null;
            TimeSpan? stableSince = null;
            for (var i = 0; i < 2_000 && clock.Elapsed - startAt < MaxObserve; i++)
            {
                foreach (var line in process.Output.Where(l => l.Contains("Refusing gossip from ", StringComparison.Ordinal)))
                {
                    refusal ??= line;
                    var peer = lab.Nodes.FirstOrDefault(n => line.Contains($"Refusing gossip from {n.IPv4}:", StringComparison.Ordinal));
                    if (peer is not null && !refused.ContainsKey(peer.Name))
                    {
                        refused[peer.Name] = clock.Elapsed - startAt;
                    }
                }

                var single = sampler.Latest is { } latest && latest.Holders.All(h => h.Count == 1);
                stableSince = single ? stableSince ?? clock.Elapsed : null;
                if (clock.Elapsed - startAt >= MinObserve && stableSince is { } since && clock.Elapsed - since >= Stable)
                {
                    break;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50)).ConfigureAwait(false);
            }

            var reports = new List<ProbeReport>();
            foreach (var prober in probers)
            {
                reports.Add(await prober.StopAsync().ConfigureAwait(false));
            }

            var samples = await sampler.StopAsync().ConfigureAwait(false);
            var after = await cluster.HoldersByVipAsync().ConfigureAwait(false);
            return new StepResult(stopped, exited, probed, reports, samples, stopAt, after, upgraded.ToHashSet(StringComparer.Ordinal), expected, refused, refusal,
                process.HasExited ? $"the new process exited ({process.ExitCode})" : null);
        }
        finally
        {
            foreach (var prober in probers)
            {
                await prober.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Adds one step's figures to the mode's table and checks them against the documented behaviour.</summary>
    private static void Record(Mode mode, string label, int step, LabHost node, LabNetwork lab, StepResult result)
    {
        var name = $"step {step} ({node.Name})";
        var stretches = Stretches(result.Samples, VipCount).Select(s => s with { At = s.At - result.StopAt }).ToList();
        var dual = stretches.Where(s => s.Holders >= 2).ToList();
        var mixed = dual.Where(s => s.Mixed).ToList();
        var empty = stretches.Where(s => s.Holders == 0).ToList();
        var gaps = result.Reports.Select(r => r.LongestGap.TotalMilliseconds).DefaultIfEmpty(0).Max();
        var lost = result.Reports.Sum(r => r.Lost);
        mode.Table.Get($"{name}: client longest gap, any probed VIP").Add(gaps);
        mode.Table.Get($"{name}: client probes lost, all probed VIPs (count, not ms)").Add(lost);
        mode.Table.Get($"{name}: VIPs on a 0.1.0 and a new node at once (count, not ms)").Add(mixed.Select(s => s.Vip).Distinct().Count());
        mode.Table.Get($"{name}: longest stretch of a VIP on a 0.1.0 and a new node at once (sampled)").Add(mixed.Select(s => s.Duration.TotalMilliseconds).DefaultIfEmpty(0).Max());
        mode.Table.Get($"{name}: VIPs on two nodes at once, any versions (count, not ms)").Add(dual.Select(s => s.Vip).Distinct().Count());
        mode.Table.Get($"{name}: longest stretch of a VIP on no node (sampled)").Add(empty.Select(s => s.Duration.TotalMilliseconds).DefaultIfEmpty(0).Max());
        mode.Table.Get($"{name}: SIGTERM to exit of the 0.1.0 process").Add(result.Stopped.TotalMilliseconds);
        foreach (var expected in result.ExpectedRefused)
        {
            if (result.Refused.TryGetValue(expected.Name, out var at))
            {
                mode.Table.Get($"{name}: new node's EventId 2013 line naming a 0.1.0 node, from its start").Add(at.TotalMilliseconds);
            }
        }

        var intervals = result.Samples.Zip(result.Samples.Skip(1), (a, b) => (b.At - a.At).TotalMilliseconds).ToList();
        var sampling = mode.Table.Get("ip addr sampling interval, all nodes (ms)");
        foreach (var interval in intervals)
        {
            sampling.Add(interval);
        }

        var named = result.Refused.Count == 0 ? "none" : string.Join(", ", result.Refused.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key} at +{r.Value.TotalMilliseconds:0} ms"));
        var expectedNames = result.ExpectedRefused.Count == 0 ? "none" : string.Join(", ", result.ExpectedRefused.Select(n => n.Name));
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"after: {Describe(lab, result.After, result.Upgraded)}; probed {string.Join(", ", result.Probed)}: gap {gaps:0} ms, lost {lost}; two holders: {DescribeStretches(dual)}; no holder: {DescribeStretches(empty)}; 2013 lines name {named} (0.1.0 peers: {expectedNames}); stop {result.Stopped.TotalMilliseconds:0} ms{(result.Exited ? "" : " (NOT EXITED)")}{(result.NewProcessProblem is { } p ? "; " + p : "")}");
        mode.Table.Fact($"{label}, {name}", summary);
        if (result.Refusal is { } line && !mode.RefusalShown)
        {
            mode.Table.Fact("EventId 2013 line (first seen)", line.Trim());
            mode.RefusalShown = true;
        }

        Console.Error.WriteLine($"upgrade {label}, {name}: {summary}");
        if (!mode.Quorum)
        {
            return;
        }

        // The documented quorum procedure: never a VIP on both versions; the upgraded minority holds nothing (step 1);
        // from the step that tips the majority on, every VIP on exactly one new node; the new node names every 0.1.0 peer.
        var violations = new List<string>();
        if (mixed.Count > 0)
        {
            violations.Add($"VIPs on a 0.1.0 and a new node at once: {DescribeStretches(mixed)}");
        }

        var majority = result.Upgraded.Count * 2 > lab.Nodes.Count;
        foreach (var (vip, holders) in result.After)
        {
            if (!majority && holders.Any(h => result.Upgraded.Contains(h.Name)))
            {
                violations.Add($"{vip} held by the upgraded minority ({string.Join(", ", holders.Select(h => h.Name))})");
            }

            if (majority && (holders.Count != 1 || !result.Upgraded.Contains(holders[0].Name)))
            {
                violations.Add($"{vip} not on exactly one new node at the end ({(holders.Count == 0 ? "nobody" : string.Join(", ", holders.Select(h => h.Name)))})");
            }
        }

        var missing = result.ExpectedRefused.Where(n => !result.Refused.ContainsKey(n.Name)).Select(n => n.Name).ToList();
        if (missing.Count > 0)
        {
            violations.Add($"no EventId 2013 line naming {string.Join(", ", missing)}");
        }

        if (result.NewProcessProblem is { } problem)
        {
            violations.Add(problem);
        }

        mode.Violations.AddRange(violations.Select(v => $"{label}, {name}: {v}"));
    }

    /// <summary>Every stretch of consecutive samples in which a VIP had 0 or 2+ holders, from its first sample to the first sample after it.</summary>
    private static List<Stretch> Stretches(IReadOnlyList<HolderSample> samples, int vipCount)
    {
        var stretches = new List<Stretch>();
        for (var vip = 0; vip < vipCount; vip++)
        {
            var i = 0;
            while (i < samples.Count)
            {
                var count = samples[i].Holders[vip].Count;
                if (count == 1)
                {
                    i++;
                    continue;
                }

                var kind = Math.Min(count, 2);
                var first = i;
                var mixed = false;
                var nodes = new SortedSet<string>(StringComparer.Ordinal);
                while (i < samples.Count && Math.Min(samples[i].Holders[vip].Count, 2) == kind)
                {
                    var holders = samples[i].Holders[vip];
                    mixed |= holders.Any(h => h.IsNew) && holders.Any(h => !h.IsNew);
                    nodes.UnionWith(holders.Select(h => h.IsNew ? $"{h.Name}(new)" : $"{h.Name}(0.1.0)"));
                    i++;
                }

                var end = i < samples.Count ? samples[i].At : samples[^1].At;
                stretches.Add(new Stretch(samples[first].Vip(vip), kind, mixed, samples[first].At, end - samples[first].At, i >= samples.Count, string.Join("+", nodes)));
            }
        }

        return stretches;
    }

    private static string DescribeStretches(IReadOnlyList<Stretch> stretches) =>
        stretches.Count == 0
            ? "none"
            : string.Join(", ", stretches.GroupBy(s => s.Vip).Select(g =>
                string.Create(CultureInfo.InvariantCulture, $"{g.Key} {string.Join("/", g.Select(s => $"{(s.Open ? ">=" : "")}{s.Duration.TotalMilliseconds:0} ms from {s.At.TotalMilliseconds:+0;-0} ms{(s.Nodes.Length > 0 ? " " + s.Nodes : "")}"))}")));

    /// <summary>"n1 (new) 0, n2 (0.1.0) 5, n3 (0.1.0) 5": VIPs per node, plus any VIP on several nodes or none.</summary>
    private static string Describe(LabNetwork lab, IReadOnlyDictionary<IPAddress, IReadOnlyList<LabHost>> holders, IReadOnlySet<string> upgraded)
    {
        var perNode = lab.Nodes.Select(n => $"{n.Name} ({(upgraded.Contains(n.Name) ? "new" : "0.1.0")}) {holders.Count(h => h.Value.Contains(n))}");
        var odd = holders.Where(h => h.Value.Count != 1).Select(h => $"{h.Key} on {(h.Value.Count == 0 ? "nobody" : string.Join("+", h.Value.Select(n => n.Name)))}").ToList();
        return string.Join(", ", perNode) + (odd.Count > 0 ? $" [{string.Join(", ", odd)}]" : " (one holder each)");
    }

    private static async Task WaitForOneHolderEachAsync(VipdCluster cluster, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 10_000 && watch.Elapsed < timeout; i++)
        {
            var holders = await cluster.HoldersByVipAsync().ConfigureAwait(false);
            if (holders.Values.All(h => h.Count == 1))
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
        }

        throw new TimeoutException($"the 0.1.0 cluster did not put every VIP on one node within {timeout.TotalSeconds:0} s{Environment.NewLine}{cluster.Logs()}");
    }

    private static async Task<string> VersionAsync(string binary)
    {
        // "vipd version" only prints; it runs on the host, like "keepalived --version" in the failover benchmark.
        var psi = new ProcessStartInfo(binary, ["version"]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {binary}");
        var output = await process.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        return output.Trim();
    }

    /// <summary>One of the two procedures (quorum on or off) and its table.</summary>
    private sealed class Mode(bool quorum, int runs, string versions)
    {
        public bool Quorum { get; } = quorum;

        public BenchmarkTable Table { get; } = CreateTable(quorum, runs, versions);

        public List<string> Violations { get; } = [];

        public bool RefusalShown { get; set; }

        private static BenchmarkTable CreateTable(bool quorum, int runs, string versions)
        {
            var table = new BenchmarkTable($"upgrade from 0.1.0, node by node, quorum = {(quorum ? "true" : "false")}", runs);
            table.Fact("versions", versions);
            table.Fact("method", $"3 nodes + client in netns, {VipCount} /32 VIPs (198.51.100.1-5, 203.0.113.1-5), profile default; per step: SIGTERM the 0.1.0 node, wait for its exit, start the new binary on the same config, watch 10-20 s (until every VIP has been on one node for 3 s); every node's ip addr sampled back to back; ICMP every 5 ms from the client to one VIP per holding node; stretches (two holders, none) as 'duration from +t' with t from the SIGTERM");
            table.Fact("load at start", MachineFacts.LoadAverage());
            return table;
        }
    }

    private sealed record StepResult(
        TimeSpan Stopped,
        bool Exited,
        IReadOnlyList<IPAddress> Probed,
        IReadOnlyList<ProbeReport> Reports,
        IReadOnlyList<HolderSample> Samples,
        TimeSpan StopAt,
        IReadOnlyDictionary<IPAddress, IReadOnlyList<LabHost>> After,
        IReadOnlySet<string> Upgraded,
        IReadOnlyList<LabHost> ExpectedRefused,
        IReadOnlyDictionary<string, TimeSpan> Refused,
        string? Refusal,
        string? NewProcessProblem);

    /// <summary>A VIP with no holder (<see cref="Holders"/> 0) or several (2) from <see cref="At"/> for <see cref="Duration"/>; open when the step ended inside it.</summary>
    private sealed record Stretch(IPAddress Vip, int Holders, bool Mixed, TimeSpan At, TimeSpan Duration, bool Open, string Nodes);

    /// <summary>A node holding a VIP in a sample, and whether it ran the new version then.</summary>
    private sealed record Holder(string Name, bool IsNew);

    /// <summary>Every VIP's holders at <see cref="At"/> (time since the step began), in VIP order.</summary>
    private sealed record HolderSample(TimeSpan At, IReadOnlyList<IPAddress> Vips, IReadOnlyList<IReadOnlyList<Holder>> Holders)
    {
        public IPAddress Vip(int index) => Vips[index];
    }

    /// <summary>Samples every node's addresses back to back (the nodes in parallel) until stopped; bounded to 5 minutes.</summary>
    private sealed class HolderSampler : IAsyncDisposable
    {
        private readonly List<HolderSample> _samples = [];
        private readonly CancellationTokenSource _stop = new();
        private readonly Lock _lock = new();
        private Task _loop = Task.CompletedTask;

        public HolderSample? Latest
        {
            get
            {
                lock (_lock)
                {
                    return _samples.Count == 0 ? null : _samples[^1];
                }
            }
        }

        public static HolderSampler Start(LabNetwork lab, VipdCluster cluster, Stopwatch clock, Func<string, bool> isNew)
        {
            var sampler = new HolderSampler();
            sampler._loop = Task.Run(() => sampler.LoopAsync(lab, cluster, clock, isNew));
            return sampler;
        }

        public async Task<IReadOnlyList<HolderSample>> StopAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _loop.ConfigureAwait(false);
            lock (_lock)
            {
                return [.. _samples];
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException or IOException)
            {
                // Already reported by StopAsync, or the lab is going away.
            }

            _stop.Dispose();
        }

        private async Task LoopAsync(LabNetwork lab, VipdCluster cluster, Stopwatch clock, Func<string, bool> isNew)
        {
            var limit = Stopwatch.StartNew();
            for (var i = 0; i < 100_000 && !_stop.IsCancellationRequested && limit.Elapsed < TimeSpan.FromMinutes(5); i++)
            {
                var at = clock.Elapsed;
                var perNode = await Task.WhenAll(lab.Nodes.Select(n => cluster.HoldersByVipAsync([n]))).ConfigureAwait(false);
                var vips = perNode[0].Keys.ToList();
                var holders = vips.Select(v => (IReadOnlyList<Holder>)[.. perNode.SelectMany(p => p[v]).Select(h => new Holder(h.Name, isNew(h.Name)))]).ToList();
                lock (_lock)
                {
                    _samples.Add(new HolderSample(at, vips, holders));
                }
            }
        }
    }
}
