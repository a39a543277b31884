using System.Diagnostics;
using System.Globalization;
using System.Net;
using Vipd.Core.Reconcile;
using Xunit.Abstractions;

namespace Vipd.Lab.Tests;

/// <summary>Paced announcements on the wire: a node takes 200 VIPs at 15 packets/s and the segment sees it keep to that.</summary>
public sealed class PacingLabTests(ITestOutputHelper output)
{
    private const int Count = 200;
    private const int Rate = 15;

    [Fact]
    public async Task SetDesired_200VipsAt15Pps_CaptureKeepsRateAndEveryFirstGarpInOrder()
    {
        await using var lab = await LabNetwork.CreateAsync(1);
        var host = lab.Nodes[0];
        using var node = LabAnnouncer.Create(host);
        var policy = AnnouncementPolicy.Default with { Pacing = new AnnouncementPacing(Rate, Rate) };
        var vips = Enumerable.Range(1, Count)
            .Select(i => new OwnedVip($"v{i}", new VipBinding(IPAddress.Parse($"198.51.100.{i}"), 32, host.Interface), policy))
            .ToArray();
        var macFilter = string.Join(':', host.Mac.GetAddressBytes().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
        await using var capture = await Capture.StartAsync(lab.Client, $"arp and ether src {macFilter}");

        // IPv4 rounds are two ARP frames, and no 1.05 s window (a second and the jitter guard) may hold more than 15:
        // 7 rounds per 1.05 s.
        var firstsDue = TimeSpan.FromSeconds(Math.Ceiling((double)Count / (Rate / 2) * 1.05));
        var watch = Stopwatch.StartNew();
        node.SetDesired(vips);
        for (var i = 0; i < 400 && watch.Elapsed < firstsDue + TimeSpan.FromSeconds(4); i++)
        {
            await Task.Delay(100);
        }

        var counters = node.Announcer.Counters;
        node.SetDesired();
        var pcap = await capture.StopAsync();
        var rows = await Tshark.DecodeAsync(pcap, ["frame.time_epoch", "arp.src.proto_ipv4", "arp.opcode"]);
        var frames = rows
            .Select(r => (At: double.Parse(r[0], CultureInfo.InvariantCulture), Address: IPAddress.Parse(r[1]), Opcode: r[2]))
            .Where(f => f.Address.ToString().StartsWith("198.51.100.", StringComparison.Ordinal))
            .ToList();
        var start = frames[0].At;
        var firsts = vips.Select(v => frames.FirstOrDefault(f => f.Address.Equals(v.Binding.Address))).ToList();
        var busiest = frames.Max(f => frames.Count(g => g.At >= f.At && g.At < f.At + 1.0));
        var lastFirst = firsts.Max(f => f.At) - start;
        output.WriteLine($"{frames.Count} ARP frames from the holder in {frames[^1].At - start:F2} s; busiest 1 s window {busiest}; "
            + $"last first GARP at {lastFirst:F2} s (bound {firstsDue.TotalSeconds} s + 1 s); counters: {counters}");

        Assert.All(firsts, f => Assert.NotEqual(default, f));
        // Every whole second of the capture, as a switch counts (the budget's window has a guard for send jitter).
        Assert.True(busiest <= Rate, $"{busiest} ARP frames within 1 s");
        Assert.True(lastFirst <= firstsDue.TotalSeconds + 1, $"last first GARP at {lastFirst:F2} s");
        // Round robin: the first frames of the VIPs leave in the order of the VIPs, before any VIP's second round.
        Assert.Equal(vips.Select(v => v.Binding.Address), firsts.OrderBy(f => f.At).Select(f => f.Address));
        var firstRepeat = vips.Select(v => frames.Where(f => f.Address.Equals(v.Binding.Address)).Skip(2).FirstOrDefault())
            .Where(f => f != default).Min(f => f.At);
        Assert.True(firstRepeat >= firsts.Max(f => f.At), $"a repeat at {firstRepeat - start:F2} s before the last first at {lastFirst:F2} s");
        Assert.True(counters.Deferred >= Count - Rate);
    }
}
