using System.Diagnostics;
using System.Globalization;
using System.Net;
using Vipd.Core.Reconcile;
using Vipd.Lab;
using Vipd.Linux.Neighbor;
using Vipd.Linux.Netlink;

namespace Vipd.Benchmarks;

/// <summary>
/// The announcer's data plane in a namespace lab: one node, one client. For each scenario, SetDesired with N VIPs
/// on the node's eth0 (bound through batched netlink, first announcement before SetDesired returns), then the time
/// until the client's AF_PACKET socket has seen an announcement for the first and for every VIP, then removal.
/// </summary>
internal static class DataplaneBenchmark
{
    /// <summary>The goal from the design: 100 VIPs bound and announced within 5 ms of being owned.</summary>
    private const double TargetMs = 5;

    private static readonly TimeSpan WireTimeout = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        if (!await LabBenchmark.RequireRootAsync("dataplane").ConfigureAwait(false))
        {
            return 2;
        }

        var scenarios = new (string Name, IReadOnlyList<OwnedVip> Vips, bool Target)[]
        {
            ("1 IPv4", Vips4("s1-", 1, i => IPAddress.Parse("192.0.2.200")), false),
            ("100 IPv4", Vips4("s100-", 100, i => IPAddress.Parse($"203.0.113.{i + 1}")), true),
            ("250 IPv4", Vips4("s250-", 250, i => IPAddress.Parse($"198.51.100.{i + 1}")), false),
            ("1 IPv6", Vips6("s1v6-", 1), false),
            ("100 IPv6", Vips6("s100v6-", 100), true),
            ("1000 IPv6", Vips6("s1000v6-", 1000), false),
        };

        var table = new BenchmarkTable("dataplane", options.Runs);
        table.Fact("kernel", File.ReadAllText("/proc/sys/kernel/osrelease").Trim());
        table.Fact("cpus", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture));
        table.Fact("runtime", System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription);
        table.Fact("policy", "default (first announcement inside SetDesired)");
        table.Fact("ipv6 layout", "2001:db8::N:0:200/64 (one solicited-node group; see docs/LAB.md on MLD cost)");

        await using var lab = await LabNetwork.CreateAsync(1).ConfigureAwait(false);
        var node = lab.Nodes[0];
        table.Fact("lab", lab.Prefix);
        var (addresses, monitor, neighbors, conflicts) = node.Run(() =>
            (new NetlinkAddressManager(), new NetlinkMonitor(), new NeighborAnnouncer(), new ConflictMonitor()));
        var timed = new TimedPorts(addresses, neighbors);
        using var announcer = new Announcer(timed, timed, monitor, conflicts, TimeProvider.System);
        using var capture = WireCapture.Start(lab.Client);
        var failures = 0;
        try
        {
            node.Run(announcer.Start);
            node.Run(() => announcer.CleanupAll());
            for (var run = -options.Warmup; run < options.Runs; run++)
            {
                foreach (var (name, vips, target) in scenarios)
                {
                    var ok = await MeasureAsync(node, announcer, addresses, timed, capture, name, vips, target, run >= 0 ? table : null).ConfigureAwait(false);
                    failures += ok ? 0 : 1;
                }

                Console.Error.WriteLine(run < 0 ? $"warm-up {run + options.Warmup + 1} done" : $"run {run + 1}/{options.Runs} done");
            }
        }
        finally
        {
            announcer.Dispose();
            monitor.Dispose();
            conflicts.Dispose();
            neighbors.Dispose();
            addresses.Dispose();
        }

        await BenchmarkTable.EmitAsync([table], options.JsonPath).ConfigureAwait(false);

        if (failures > 0)
        {
            Console.Error.WriteLine($"dataplane: {failures} scenario runs failed (see above)");
            return 1;
        }

        return 0;
    }

    private static async Task<bool> MeasureAsync(
        LabHost node,
        Announcer announcer,
        NetlinkAddressManager addresses,
        TimedPorts timed,
        WireCapture capture,
        string name,
        IReadOnlyList<OwnedVip> vips,
        bool target,
        BenchmarkTable? table)
    {
        var wanted = vips.Select(v => v.Binding.Address).ToList();
        capture.Reset();
        timed.Reset();
        long owned = 0, returned = 0;
        node.Run(() =>
        {
            owned = Stopwatch.GetTimestamp();
            announcer.SetDesired(vips);
            returned = Stopwatch.GetTimestamp();
        });

        var (listMs, applyMs, announceMs) = (timed.ListMs, timed.ApplyMs, timed.AnnounceMs);
        var seen = capture.WaitFor(wanted, WireTimeout, out var first, out var last, out var missing);
        var held = announcer.Held.Count;
        var bound = addresses.ListAddresses().Count(a => a.AddedByVipd);

        // Let the first burst (50 and 100 ms) finish so removal is measured on a quiet node.
        await Task.Delay(TimeSpan.FromMilliseconds(150)).ConfigureAwait(false);
        long removing = 0, removed = 0;
        node.Run(() =>
        {
            removing = Stopwatch.GetTimestamp();
            announcer.SetDesired([]);
            removed = Stopwatch.GetTimestamp();
        });
        var left = addresses.ListAddresses().Count(a => a.AddedByVipd);
        await Task.Delay(TimeSpan.FromMilliseconds(50)).ConfigureAwait(false);

        if (!seen || held != vips.Count || bound != vips.Count || left != 0)
        {
            Console.Error.WriteLine($"{name}: FAILED: {missing} never announced on the wire, {held} held, {bound} bound, {left} left after removal");
            return false;
        }

        if (table is not null)
        {
            table.Get($"{name}: SetDesired returns (bound + 1st announcement sent)").Add(Ms(owned, returned));
            table.Get($"{name}:   of which netlink dumps (links, addresses)").Add(listMs);
            table.Get($"{name}:   of which netlink Apply (batched adds)").Add(applyMs);
            table.Get($"{name}:   of which announcements (1 per VIP)").Add(announceMs);
            table.Get($"{name}: owned -> first announcement on the wire").Add(Ms(owned, first));
            table.Get($"{name}: owned -> every VIP announced on the wire", target ? TargetMs : null).Add(Ms(owned, last));
            table.Get($"{name}: remove all (SetDesired empty)").Add(Ms(removing, removed));
        }

        return true;
    }

    private static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;

    private static List<OwnedVip> Vips4(string prefix, int count, Func<int, IPAddress> address)
        => [.. Enumerable.Range(0, count).Select(i => new OwnedVip($"{prefix}{i}", new VipBinding(address(i), 32, "eth0"), AnnouncementPolicy.Default))];

    /// <summary>2001:db8::N:0:200: all in the lab's /64, all sharing one solicited-node multicast group (low 24 bits).</summary>
    private static List<OwnedVip> Vips6(string prefix, int count)
        => [.. Enumerable.Range(0, count).Select(i => new OwnedVip(
            $"{prefix}{i}",
            new VipBinding(IPAddress.Parse($"2001:db8::{(i + 1).ToString("x", CultureInfo.InvariantCulture)}:0:200"), 64, "eth0"),
            AnnouncementPolicy.Default))];
}
