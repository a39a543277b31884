using System.Net;
using Microsoft.Extensions.Time.Testing;
using Vipd.Core.Reconcile;

namespace Vipd.Core.Tests.Reconcile;

public class AnnouncerPacingTests : IDisposable
{
    private static readonly IPAddress NodeIp = IPAddress.Parse("192.0.2.11");
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly FakeAddressManager _kernel = new();
    private readonly FakeNeighborAnnouncer _wire;
    private readonly Announcer _announcer;

    public AnnouncerPacingTests()
    {
        _wire = new FakeNeighborAnnouncer(_time);
        _kernel.AddLink(2, "eth0");
        _kernel.AddLink(3, "eth1");
        _kernel.AddOperatorAddress(2, NodeIp, 24);
        _announcer = new Announcer(_kernel, _wire, new FakeNetworkMonitor(), new FakeConflictMonitor(), _time);
        _announcer.Start();
    }

    public void Dispose() => _announcer.Dispose();

    [Theory]
    [InlineData(15, 15, 200)]
    [InlineData(10, 10, 120)]
    [InlineData(15, 4, 100)]
    [InlineData(2, 2, 10)]
    public void SetDesired_ManyVipsPaced_NoOneSecondWindowExceedsRate(int rate, int burst, int count)
    {
        _announcer.SetDesired(Vips(count, new AnnouncementPacing(rate, burst)));

        Advance(TimeSpan.FromSeconds((count * 10.0 / (rate - 1) * PacketBudget.Window.TotalSeconds) + 10));

        var packets = Packets(_wire.Sent);
        Assert.True(packets.Count >= count * 2 * 5, $"only {packets.Count} packets");
        foreach (var start in packets)
        {
            var inWindow = packets.Count(at => at >= start && at < start + TimeSpan.FromSeconds(1));
            Assert.True(inWindow <= rate, $"{inWindow} packets in the second from {start.TotalMilliseconds} ms, rate {rate}");
        }
    }

    [Fact]
    public void SetDesired_ManyVipsPaced_EveryFirstBeforeAnyRepeatInOrder()
    {
        var vips = Vips(60, new AnnouncementPacing(10, 10));

        _announcer.SetDesired(vips);
        Advance(TimeSpan.FromSeconds(20));

        var sent = _wire.Sent.Select(s => s.Address).ToList();
        Assert.Equal(vips.Select(v => v.Binding.Address), sent.Take(60));
        var lastFirst = vips.Max(v => sent.IndexOf(v.Binding.Address));
        Assert.Equal(59, lastFirst);
        // 60 rounds of 2 packets at 10 packets per window: the last first announcement leaves 11 windows (of 1 s and
        // the 50 ms wire jitter guard) after the first 10 packets.
        Assert.Equal(11 * PacketBudget.Window.TotalMilliseconds, _wire.TimesMs(vips[^1].Binding.Address)[0]);
    }

    [Fact]
    public void SetDesired_ManyVipsPaced_SecondsBeforeThirds()
    {
        var vips = Vips(20, new AnnouncementPacing(10, 10));

        _announcer.SetDesired(vips);
        Advance(TimeSpan.FromSeconds(30));

        var sent = _wire.Sent.Select(s => s.Address).ToList();
        var seconds = vips.Select(v => NthIndex(sent, v.Binding.Address, 2)).ToList();
        var thirds = vips.Select(v => NthIndex(sent, v.Binding.Address, 3)).ToList();
        Assert.True(seconds.Max() < thirds.Min(), $"last second at {seconds.Max()}, first third at {thirds.Min()}");
    }

    [Fact]
    public void SetDesired_ManyVipsPaced_RepeatsKeepTheirSpacing()
    {
        var vips = Vips(30, new AnnouncementPacing(10, 10));

        _announcer.SetDesired(vips);
        Advance(TimeSpan.FromSeconds(40));

        foreach (var vip in vips)
        {
            var times = _wire.TimesMs(vip.Binding.Address);
            Assert.True(times.Count >= 5, $"{vip.Name} announced {times.Count} times");
            Assert.True(times[1] - times[0] >= 50, $"{vip.Name}: {string.Join(", ", times)}");
            Assert.True(times[2] - times[1] >= 50, $"{vip.Name}: {string.Join(", ", times)}");
            Assert.True(times[3] - times[0] >= 2000, $"{vip.Name}: {string.Join(", ", times)}");
        }
    }

    [Fact]
    public void SetDesired_OneVipDefaultPacing_BurstAndRefreshUnchanged()
    {
        _announcer.SetDesired(Vips(1, AnnouncementPacing.Default));

        Advance(TimeSpan.FromSeconds(123));

        Assert.Equal([0, 50, 100, 2000, 2050, 62050, 122050], _wire.TimesMs(IPAddress.Parse("198.51.100.1")));
        Assert.Equal(0, _announcer.Counters.Deferred);
    }

    [Fact]
    public void SetDesired_FewVipsWithinBurst_AllFirstsBeforeReturning()
    {
        _announcer.SetDesired(Vips(5, AnnouncementPacing.Default));

        Assert.Equal(5, _wire.Sent.Count);
        Assert.Equal(0, _announcer.Counters.Queued);
    }

    [Fact]
    public void SetDesired_VipReleasedWhileQueued_DroppedFromQueue()
    {
        var vips = Vips(20, new AnnouncementPacing(10, 10));
        _announcer.SetDesired(vips);
        Assert.Equal(15, _announcer.Counters.Queued);

        _announcer.SetDesired(vips.Take(19).ToList());
        Assert.Equal(14, _announcer.Counters.Queued);
        Advance(TimeSpan.FromSeconds(130));

        Assert.Empty(_wire.TimesMs(vips[^1].Binding.Address));
        Assert.Equal(0, _announcer.Counters.Queued);
        Assert.All(vips.Take(19), v => Assert.NotEmpty(_wire.TimesMs(v.Binding.Address)));
    }

    [Fact]
    public void SetDesired_Unpaced_AllAnnouncedAtOnceNothingDeferred()
    {
        _announcer.SetDesired(Vips(200, AnnouncementPacing.Unlimited));

        Assert.Equal(200, _wire.Sent.Count);
        Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(600, _wire.Sent.Count);
        Assert.Equal(0, _announcer.Counters.Deferred);
        Assert.Equal(0, _announcer.Counters.Queued);
    }

    [Fact]
    public void SetDesired_DifferentRatesOnOneInterface_LowestWins()
    {
        var fast = Vips(10, new AnnouncementPacing(1000, 1000));
        var slow = new OwnedVip("slow", new VipBinding(IPAddress.Parse("198.51.100.200"), 32, "eth0"), AnnouncementPolicy.Default with { Pacing = new AnnouncementPacing(4, 4) });

        _announcer.SetDesired([.. fast, slow]);
        Advance(TimeSpan.FromSeconds(10));

        var packets = Packets(_wire.Sent);
        Assert.All(packets, start => Assert.True(packets.Count(at => at >= start && at < start + TimeSpan.FromSeconds(1)) <= 4));
        Assert.Equal(2, _wire.Sent.Count(s => s.At == TimeSpan.Zero));
    }

    [Fact]
    public void SetDesired_UnpacedVipOnPacedInterface_PacedToo()
    {
        var paced = Vips(10, new AnnouncementPacing(4, 4));
        var unpaced = new OwnedVip("free", new VipBinding(IPAddress.Parse("198.51.100.200"), 32, "eth0"), AnnouncementPolicy.Default);

        _announcer.SetDesired([.. paced, unpaced]);

        Assert.Equal(2, _wire.Sent.Count);
    }

    [Fact]
    public void SetDesired_TwoInterfaces_EachHasItsOwnBudget()
    {
        var eth0 = Vips(10, new AnnouncementPacing(4, 4));
        var eth1 = Vips(10, new AnnouncementPacing(4, 4), "eth1", 100);

        _announcer.SetDesired([.. eth0, .. eth1]);

        Assert.Equal(2, _wire.Sent.Count(s => s.Link.Name == "eth0"));
        Assert.Equal(2, _wire.Sent.Count(s => s.Link.Name == "eth1"));
    }

    [Fact]
    public void SetDesired_IPv6_OnePacketPerRound()
    {
        var vips = Enumerable.Range(1, 10)
            .Select(i => new OwnedVip($"v{i}", new VipBinding(IPAddress.Parse($"2001:db8::{i:x}"), 128, "eth0"), AnnouncementPolicy.Default with { Pacing = new AnnouncementPacing(4, 4) }))
            .ToList();

        _announcer.SetDesired(vips);

        Assert.Equal(4, _wire.Sent.Count);
    }

    [Fact]
    public void Counters_ManyVipsPaced_QueuedAndDeferredReported()
    {
        _announcer.SetDesired(Vips(25, new AnnouncementPacing(10, 10)));

        Assert.Equal(20, _announcer.Counters.Queued);
        Assert.Equal(20, _announcer.Counters.Deferred);
        Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(0, _announcer.Counters.Queued);
        Assert.True(_announcer.Counters.Deferred > 20);
    }

    [Fact]
    public void SetDesired_PacingLoosened_QueueDrainsAtOnce()
    {
        var vips = Vips(20, new AnnouncementPacing(10, 10));
        _announcer.SetDesired(vips);

        _announcer.SetDesired([.. vips.Select(v => v with { Policy = AnnouncementPolicy.Default })]);

        Assert.Equal(20, _wire.Sent.Count);
        Assert.Equal(0, _announcer.Counters.Queued);
    }

    [Fact]
    public void Reannounce_WhileQueued_KeepsOnePlace()
    {
        var vips = Vips(20, new AnnouncementPacing(10, 10));
        _announcer.SetDesired(vips);

        Assert.True(_announcer.Reannounce(vips[^1].Name));

        Assert.Equal(15, _announcer.Counters.Queued);
        Advance(TimeSpan.FromSeconds(5));
        // The 20th VIP's round is in the fourth window: 3 windows of 1 s and the wire jitter guard after the first.
        Assert.Single(_wire.Sent, s => s.Address.Equals(vips[^1].Binding.Address) && s.At <= 3 * PacketBudget.Window);
    }

    private static List<OwnedVip> Vips(int count, AnnouncementPacing pacing, string iface = "eth0", int offset = 0)
        => [.. Enumerable.Range(1 + offset, count)
            .Select(i => new OwnedVip($"v{i}", new VipBinding(IPAddress.Parse($"198.51.100.{i}"), 32, iface), AnnouncementPolicy.Default with { Pacing = pacing }))];

    /// <summary>The time of every packet: an IPv4 round is two frames, an IPv6 round one.</summary>
    private static List<TimeSpan> Packets(IEnumerable<(TimeSpan At, LinkInfo Link, IPAddress Address)> sent)
        => [.. sent.SelectMany(s => Enumerable.Repeat(s.At, AnnouncementPacing.PacketsPerRound(s.Address)))];

    private static int NthIndex(List<IPAddress> sent, IPAddress address, int n)
    {
        var seen = 0;
        for (var i = 0; i < sent.Count; i++)
        {
            if (sent[i].Equals(address) && ++seen == n)
            {
                return i;
            }
        }

        return -1;
    }

    private void Advance(TimeSpan total)
    {
        for (var at = TimeSpan.Zero; at < total; at += Tick)
        {
            _time.Advance(Tick);
        }
    }
}
