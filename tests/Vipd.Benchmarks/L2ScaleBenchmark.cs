using System.Diagnostics;
using System.Globalization;
using System.Net;
using Vipd.Lab;
using Vipd.Lab.Daemon;

namespace Vipd.Benchmarks;

/// <summary>
/// Many VIPs moved at once, as the segment sees it: 3 vipd nodes hold N VIPs; one node loses its cable and is
/// SIGKILLed. For each setting (unpaced: <c>[announce] rate = 0</c>; paced: <c>rate = 15, burst = 15</c>) and family
/// it measures, from the crash: when the client's neighbour entries for a sample of the victim's VIPs (up to 100, all
/// created by a ping before the crash) all point at a survivor, and when the last of the victim's VIPs had its first
/// announcement from its new holder captured at the client (every VIP, from a capture: what a client with an entry
/// applies); when a router's entries for the same sample (pinged from a client behind it) all point at a survivor;
/// and the most announcement frames any survivor sent in 1 s. IPv4 VIPs: 198.51.100.1-254, then
/// 203.0.113.1-238 (492 at most: the three documentation /24s cannot hold 1,000 /32s next to the lab's own addresses);
/// IPv6: 2001:db8:2::1.. (1,000 by default). `VIPD_L2SCALE=4x480,6x1000` (family x VIPs) and `--runs` trials each.
/// The client's neighbour table is kept to the sample: Linux's ARP and ND tables are shared by every namespace
/// (gc_thresh3 1,024), and other labs run on this machine.
/// </summary>
internal static class L2ScaleBenchmark
{
    private const int Sample = 100;
    private const int MetricsPort = 9475;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(180);
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(300);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        if (!await LabBenchmark.RequireRootAsync("l2scale").ConfigureAwait(false))
        {
            return 2;
        }

        var points = (Environment.GetEnvironmentVariable("VIPD_L2SCALE") ?? "4x480,6x1000")
            .Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('x'))
            .Select(p => (Family: int.Parse(p[0], CultureInfo.InvariantCulture), Vips: int.Parse(p[1], CultureInfo.InvariantCulture)))
            .ToArray();
        var runs = options.Runs == 5 ? 1 : options.Runs;
        var table = new BenchmarkTable("many VIPs moved by a crash (3 vipd nodes, cable pulled then SIGKILL)", runs);
        table.Fact("method", "capture on the client's eth0 (broadcast GARP/NA reach every port); t = 0 at the crash; 'sample' = the client's neighbour entries for up to 100 of the victim's VIPs, pinged before; 'all' = the last victim VIP's first announcement from its new holder");
        table.Fact("vipd", VipdBinary.Find());
        var failed = false;
        foreach (var (family, count) in points)
        {
            foreach (var (setting, rate) in new[] { ("unpaced", 0), ("paced 15 pps", 15) })
            {
                var label = $"IPv{family} {count} VIPs {setting}";
                var sample = table.Get($"{label}: sample entries moved (ms from crash)");
                var routed = table.Get($"{label}: the router's sample entries moved (ms from crash)");
                var all = table.Get($"{label}: every VIP's first announcement (ms from crash)");
                var spread = table.Get($"{label}: first to last first announcement (ms)");
                var peak = new List<string>();
                for (var run = 0; run < runs; run++)
                {
                    var result = await RunOnceAsync(family, count, rate).ConfigureAwait(false);
                    Console.Error.WriteLine($"{label} {run + 1}/{runs}: {result}");
                    if (result.Sample is { } s)
                    {
                        sample.Add(s.TotalMilliseconds);
                    }

                    if (result.Router is { } r)
                    {
                        routed.Add(r.TotalMilliseconds);
                    }

                    if (result.All is { } a)
                    {
                        all.Add(a.TotalMilliseconds);
                        spread.Add(result.Spread.TotalMilliseconds);
                    }

                    peak.Add(result.PeakPerSecond.ToString(CultureInfo.InvariantCulture));
                    failed |= result.Moved == 0 || result.Sample is null || result.Router is null || result.All is null || (rate > 0 && result.PeakPerSecond > rate);
                }

                table.Fact($"{label}: most announcement frames from one survivor in any 1 s", string.Join(", ", peak));
            }
        }

        await BenchmarkTable.EmitAsync([table], options.JsonPath).ConfigureAwait(false);

        return failed ? 1 : 0;
    }

    private static List<(string Name, IPAddress Address, int PrefixLength)> Vips(int family, int count)
    {
        var vips = new List<(string, IPAddress, int)>(count);
        for (var i = 0; i < count; i++)
        {
            var address = family == 6
                ? IPAddress.Parse($"2001:db8:2::{(i + 1).ToString("x", CultureInfo.InvariantCulture)}")
                : i < 254 ? new IPAddress([198, 51, 100, (byte)(i + 1)]) : new IPAddress([203, 0, 113, (byte)(i - 254 + 1)]);
            vips.Add((string.Create(CultureInfo.InvariantCulture, $"vip-{i + 1}"), address, family == 6 ? 128 : 32));
        }

        return vips;
    }

    private static async Task<Result> RunOnceAsync(int family, int count, int rate)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, family == 6 ? 4000 : 492);
        var vips = Vips(family, count);
        await using var lab = await LabNetwork.CreateAsync(3).ConfigureAwait(false);
        if (family == 6)
        {
            await lab.Client.AddOnLinkRouteAsync(IPAddress.Parse("2001:db8:2::"), 64).ConfigureAwait(false);
        }
        else
        {
            await lab.Client.AddOnLinkRouteAsync(IPAddress.Parse("198.51.100.0"), 24).ConfigureAwait(false);
            await lab.Client.AddOnLinkRouteAsync(IPAddress.Parse("203.0.113.0"), 24).ConfigureAwait(false);
        }

        // A router between the segment and a client on another subnet: its neighbour entries must follow as well.
        var (router, remote) = await lab.AddRouterAsync().ConfigureAwait(false);
        if (family == 6)
        {
            await router.AddOnLinkRouteAsync(IPAddress.Parse("2001:db8:2::"), 64).ConfigureAwait(false);
        }
        else
        {
            await router.AddOnLinkRouteAsync(IPAddress.Parse("198.51.100.0"), 24).ConfigureAwait(false);
            await router.AddOnLinkRouteAsync(IPAddress.Parse("203.0.113.0"), 25).ConfigureAwait(false);
            await router.AddOnLinkRouteAsync(IPAddress.Parse("203.0.113.128"), 26).ConfigureAwait(false);
            await router.AddOnLinkRouteAsync(IPAddress.Parse("203.0.113.192"), 27).ConfigureAwait(false);
            await router.AddOnLinkRouteAsync(IPAddress.Parse("203.0.113.224"), 28).ConfigureAwait(false);
        }

        var announce = rate == 0 ? "[announce]\nrate = 0" : string.Create(CultureInfo.InvariantCulture, $"[announce]\nrate = {rate}\nburst = {rate}");
        var options = new VipdClusterOptions { Vips = vips, LogLevel = "warning", NodeExtra = _ => announce, MetricsPort = MetricsPort };
        await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find(), options).ConfigureAwait(false);

        // Settled: one holder each, every node some, unchanged for 2 s (bounded).
        IReadOnlyDictionary<IPAddress, IReadOnlyList<LabHost>> holders = new Dictionary<IPAddress, IReadOnlyList<LabHost>>();
        var stable = Stopwatch.StartNew();
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < Settle)
        {
            var next = await cluster.HoldersByVipAsync().ConfigureAwait(false);
            var ok = next.Values.All(h => h.Count == 1) && lab.Nodes.All(n => next.Values.Any(h => h[0] == n));
            if (!ok || next.Any(p => !holders.TryGetValue(p.Key, out var b) || !b.SequenceEqual(p.Value)))
            {
                stable.Restart();
            }

            holders = next;
            if (ok && stable.Elapsed > TimeSpan.FromSeconds(2))
            {
                break;
            }

            await Task.Delay(200).ConfigureAwait(false);
        }

        // A crash comes long after start: wait (bounded) until no node has announcements queued from settling.
        var drained = Stopwatch.StartNew();
        while (drained.Elapsed < Drain && !await QueuesEmptyAsync(lab).ConfigureAwait(false))
        {
            await Task.Delay(1000).ConfigureAwait(false);
        }

        Console.Error.WriteLine($"settled after {waited.Elapsed.TotalSeconds:0} s, announcement queues empty after {drained.Elapsed.TotalSeconds:0} more");
        var victim = lab.Nodes[0];
        var moved = holders.Where(p => p.Value.Count == 1 && p.Value[0] == victim).Select(p => p.Key).ToHashSet();
        var sample = moved.Take(Sample).ToList();
        var pings = string.Join(' ', sample.Select(a => a.ToString()));
        await lab.Client.ExecAsync("sh", "-c", $"for a in {pings}; do ping -c 1 -W 1 -q $a >/dev/null 2>&1 & done; wait").ConfigureAwait(false);
        await remote.ExecAsync("sh", "-c", $"for a in {pings}; do ping -c 1 -W 1 -q $a >/dev/null 2>&1 & done; wait").ConfigureAwait(false);
        var before = (await lab.Client.NeighborsAsync().ConfigureAwait(false)).Count(n => sample.Contains(n.Address) && victim.Mac.Equals(n.Mac));
        var routerBefore = (await router.NeighborsAsync().ConfigureAwait(false)).Count(n => sample.Contains(n.Address) && victim.Mac.Equals(n.Mac));

        var survivors = lab.Nodes.Where(n => n != victim).ToList();
        var macs = string.Join(" or ", survivors.Select(n => "ether src " + string.Join(':', n.Mac.GetAddressBytes().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)))));
        var filter = family == 6 ? $"({macs}) and icmp6 and ip6[40] == 136" : $"({macs}) and arp";
        await using var capture = await Capture.StartAsync(lab.Client, filter, 32 * 1024).ConfigureAwait(false);
        await Task.Delay(300).ConfigureAwait(false);

        var crashEpoch = (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).TotalSeconds;
        var crash = Stopwatch.StartNew();
        await lab.CrashAsync(victim).ConfigureAwait(false);
        TimeSpan? sampleMoved = null;
        TimeSpan? routerMoved = null;
        for (var i = 0; i < 10_000 && crash.Elapsed < Bound && (sampleMoved is null || routerMoved is null); i++)
        {
            sampleMoved ??= AllOnSurvivors(await lab.Client.NeighborsAsync().ConfigureAwait(false)) ? crash.Elapsed : null;
            routerMoved ??= AllOnSurvivors(await router.NeighborsAsync().ConfigureAwait(false)) ? crash.Elapsed : null;
            await Task.Delay(10).ConfigureAwait(false);
        }

        bool AllOnSurvivors(IReadOnlyList<NeighborEntry> entries)
            => sample.All(a => entries.Any(e => e.Address.Equals(a) && e.Mac is { } m && survivors.Any(s => s.Mac.Equals(m))));

        // Wait (bounded) for every moved VIP's first announcement; paced, that takes count / 3 / rate-ish seconds.
        var expected = rate == 0 ? 5.0 : moved.Count / 2.0 / (rate / (family == 6 ? 1.0 : 2.0)) + 10;
        while (crash.Elapsed < TimeSpan.FromSeconds(Math.Min(expected, Bound.TotalSeconds)))
        {
            await Task.Delay(500).ConfigureAwait(false);
        }

        var pcap = await capture.StopAsync().ConfigureAwait(false);
        // Announcements only: a gratuitous ARP names the VIP as sender and target; an unsolicited NA goes to all nodes.
        // (The kernel's answers to the router's and the client's own queries are not announcements.)
        string[] fields = family == 6
            ? ["frame.time_epoch", "eth.src", "icmpv6.nd.na.target_address", "ipv6.dst"]
            : ["frame.time_epoch", "eth.src", "arp.src.proto_ipv4", "arp.dst.proto_ipv4"];
        var frames = (await Tshark.DecodeAsync(pcap, fields).ConfigureAwait(false))
            .Where(r => r.Count == 4 && IPAddress.TryParse(r[2], out _) && (family == 6 ? r[3] == "ff02::1" : r[3] == r[2]))
            .Select(r => (At: double.Parse(r[0], CultureInfo.InvariantCulture) - crashEpoch, Mac: r[1], Address: IPAddress.Parse(r[2])))
            .Where(f => f.At >= 0)
            .ToList();
        var firsts = moved.Select(v => frames.Where(f => f.Address.Equals(v)).Select(f => (double?)f.At).FirstOrDefault()).ToList();
        TimeSpan? allAt = firsts.All(f => f is not null) && firsts.Count > 0 ? TimeSpan.FromSeconds(firsts.Max()!.Value) : null;
        var spread = firsts.Any(f => f is not null) ? TimeSpan.FromSeconds(firsts.Max()!.Value - firsts.Min()!.Value) : TimeSpan.Zero;
        var peak = frames.GroupBy(f => f.Mac).Select(g => g.Max(f => g.Count(h => h.At >= f.At && h.At < f.At + 1.0))).DefaultIfEmpty(0).Max();
        var missing = moved.Where(v => !frames.Any(f => f.Address.Equals(v))).Take(5).ToList();
        if (missing.Count > 0)
        {
            var now = await cluster.HoldersByVipAsync(survivors).ConfigureAwait(false);
            Console.Error.WriteLine($"never announced (first 5): {string.Join(", ", missing.Select(m => $"{m} on {string.Join('+', now[m].Select(h => h.Name))}"))}; tcpdump: {string.Join(" / ", capture.Output.TakeLast(3))}");
        }

        return new Result(moved.Count, sample.Count, before, routerBefore, sampleMoved, routerMoved, allAt, spread, peak, frames.Count, firsts.Count(f => f is null));
    }

    /// <summary>True when every node's <c>vipd_announcements_queued</c> is 0 (read with curl from the client).</summary>
    private static async Task<bool> QueuesEmptyAsync(LabNetwork lab)
    {
        foreach (var node in lab.Nodes)
        {
            var metrics = await lab.Client.ExecAsync("curl", "-s", "-m", "2", string.Create(CultureInfo.InvariantCulture, $"http://{node.IPv4}:{MetricsPort}/metrics")).ConfigureAwait(false);
            var line = metrics.StdOut.Split('\n').FirstOrDefault(l => l.StartsWith("vipd_announcements_queued", StringComparison.Ordinal));
            if (line is null || !line.EndsWith(" 0", StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private sealed record Result(int Moved, int SampleSize, int SampleOnVictim, int RouterSampleOnVictim, TimeSpan? Sample, TimeSpan? Router, TimeSpan? All, TimeSpan Spread, int PeakPerSecond, int Frames, int NeverAnnounced)
    {
        public override string ToString() => string.Create(
            CultureInfo.InvariantCulture,
            $"{Moved} VIPs moved; sample {SampleOnVictim}/{SampleSize} on the victim before, all moved at {Ms(Sample)} ms; router {RouterSampleOnVictim}/{SampleSize} before, all moved at {Ms(Router)} ms; every first announcement by {Ms(All)} ms (spread {Spread.TotalMilliseconds:0} ms, {NeverAnnounced} never); {Frames} frames, peak {PeakPerSecond} in 1 s from one survivor");

        private static string Ms(TimeSpan? t) => t is { } v ? v.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) : "never";
    }
}
