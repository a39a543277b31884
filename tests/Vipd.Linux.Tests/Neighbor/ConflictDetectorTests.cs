using System.Net;
using System.Net.NetworkInformation;
using Vipd.Core.Reconcile;
using Vipd.Linux.Neighbor;

namespace Vipd.Linux.Tests.Neighbor;

public class ConflictDetectorTests
{
    private const byte PacketBroadcast = 1;
    private const byte PacketMulticast = 2;
    private static readonly PhysicalAddress OurMac = PhysicalAddress.Parse("02-00-00-00-00-0B");
    private static readonly PhysicalAddress ForeignMac = PhysicalAddress.Parse("02-00-00-00-00-0D");
    private static readonly LinkInfo Link = new(2, "eth0", OurMac, true, 1500);
    private static readonly IPAddress Vip4 = IPAddress.Parse("192.0.2.200");
    private static readonly IPAddress Vip6 = IPAddress.Parse("2001:db8::200");

    [Theory]
    [InlineData(true, (int)ConflictKind.ArpReply)]
    [InlineData(false, (int)ConflictKind.ArpRequest)]
    public void Inspect_ForeignGratuitousArp_ReportsConflict(bool reply, int kind)
    {
        var detector = Watching(Vip4);
        var frame = Arp(reply, ForeignMac, Vip4);

        var conflict = detector.Inspect(frame, Link.Index, PacketBroadcast, isArp: true, out var reason);

        Assert.Equal(FrameDropReason.None, reason);
        Assert.NotNull(conflict);
        Assert.Equal(Vip4, conflict.Address);
        Assert.Equal(Link.Index, conflict.InterfaceIndex);
        Assert.Equal(ForeignMac, conflict.ForeignMac);
        Assert.Equal((ConflictKind)kind, conflict.Kind);
        Assert.Equal(1, detector.Conflicts);
        Assert.Equal(1, detector.FramesSeen);
    }

    [Fact]
    public void Inspect_ForeignArpRequestAskingForOtherAddress_ReportsConflict()
    {
        // A host that has the VIP configured asks for its gateway: its sender IP still claims the VIP.
        var detector = Watching(Vip4);
        var frame = new byte[42];
        ArpFrames.Write(frame, ArpFrames.OperationRequest, MacAddress.From(ForeignMac), ArpFrames.ToUInt32(Vip4), MacAddress.Zero);
        frame[41] = 1; // target IP 192.0.2.1
        Assert.NotNull(detector.Inspect(frame, Link.Index, PacketBroadcast, true, out _));
    }

    [Fact]
    public void Inspect_OurOwnArp_Ignored()
    {
        var detector = Watching(Vip4);
        Assert.Null(detector.Inspect(Arp(true, OurMac, Vip4), Link.Index, PacketBroadcast, true, out _));
        Assert.Equal(1, detector.FramesIgnored);
        Assert.Equal(0, detector.Conflicts);
    }

    [Fact]
    public void Inspect_OutgoingFrame_Ignored()
    {
        var detector = Watching(Vip4);
        Assert.Null(detector.Inspect(Arp(true, ForeignMac, Vip4), Link.Index, PacketEndPoint.PacketOutgoing, true, out _));
        Assert.Equal(1, detector.FramesIgnored);
    }

    [Fact]
    public void Inspect_AddressNotHeld_Ignored()
    {
        var detector = Watching(Vip4);
        Assert.Null(detector.Inspect(Arp(true, ForeignMac, IPAddress.Parse("192.0.2.201")), Link.Index, PacketBroadcast, true, out _));
        Assert.Equal(1, detector.FramesIgnored);
    }

    [Fact]
    public void Inspect_OtherInterface_Ignored()
    {
        var detector = Watching(Vip4);
        Assert.Null(detector.Inspect(Arp(true, ForeignMac, Vip4), Link.Index + 1, PacketBroadcast, true, out _));
    }

    [Fact]
    public void Inspect_ArpProbeForHeldAddress_NotAConflict()
    {
        // RFC 5227 probe: sender IP 0.0.0.0, target IP = VIP. Someone checks before taking it; no claim yet.
        var detector = Watching(Vip4);
        var frame = new byte[42];
        ArpFrames.Write(frame, ArpFrames.OperationRequest, MacAddress.From(ForeignMac), ArpFrames.ToUInt32(Vip4), MacAddress.Zero);
        frame[28] = frame[29] = frame[30] = frame[31] = 0; // sender IP 0.0.0.0
        Assert.Null(detector.Inspect(frame, Link.Index, PacketBroadcast, true, out _));
    }

    [Fact]
    public void Watch_EmptySet_StopsReporting()
    {
        var detector = Watching(Vip4);
        detector.Watch([]);
        Assert.Null(detector.Inspect(Arp(true, ForeignMac, Vip4), Link.Index, PacketBroadcast, true, out _));
    }

    [Fact]
    public void Inspect_TruncatedArp_CountedMalformed()
    {
        var detector = Watching(Vip4);
        Assert.Null(detector.Inspect(Arp(true, ForeignMac, Vip4).AsSpan(0, 30), Link.Index, PacketBroadcast, true, out var reason));
        Assert.Equal(FrameDropReason.TooShort, reason);
        Assert.Equal(1, detector.FramesMalformed);
        Assert.Equal(1, detector.Dropped(FrameDropReason.TooShort));
        Assert.Equal(0, detector.FramesIgnored);
    }

    [Fact]
    public void Inspect_ForeignNeighborAdvertisement_ReportsConflict()
    {
        var detector = Watching(Vip6);
        var frame = NeighborAdvertisementTests.BuildFrame(Vip6, ForeignMac, router: false);

        var conflict = detector.Inspect(frame, Link.Index, PacketMulticast, isArp: false, out _);

        Assert.NotNull(conflict);
        Assert.Equal(Vip6, conflict.Address);
        Assert.Equal(ForeignMac, conflict.ForeignMac);
        Assert.Equal(ConflictKind.NeighborAdvertisement, conflict.Kind);
    }

    [Fact]
    public void Inspect_OurNeighborAdvertisement_Ignored()
    {
        var detector = Watching(Vip6);
        var frame = NeighborAdvertisementTests.BuildFrame(Vip6, OurMac, router: false);
        Assert.Null(detector.Inspect(frame, Link.Index, PacketMulticast, false, out _));
        Assert.Equal(1, detector.FramesIgnored);
    }

    [Fact]
    public void Inspect_NeighborAdvertisementWithBadChecksum_CountedMalformed()
    {
        var detector = Watching(Vip6);
        var frame = NeighborAdvertisementTests.BuildFrame(Vip6, ForeignMac, router: false);
        frame[^1] ^= 0xFF;
        Assert.Null(detector.Inspect(frame, Link.Index, PacketMulticast, false, out var reason));
        Assert.Equal(FrameDropReason.BadChecksum, reason);
        Assert.Equal(1, detector.FramesMalformed);
    }

    [Fact]
    public void Inspect_ArpFrameOnIpv6Socket_IgnoredNotMalformed()
    {
        var detector = Watching(Vip6);
        Assert.Null(detector.Inspect(Arp(true, ForeignMac, Vip4), Link.Index, PacketBroadcast, false, out var reason));
        Assert.Equal(FrameDropReason.WrongEtherType, reason);
        Assert.Equal(1, detector.FramesIgnored);
        Assert.Equal(0, detector.FramesMalformed);
    }

    [Fact]
    public void Inspect_RandomFrames_NeverThrowsAndCountsEveryFrame()
    {
        var detector = Watching(Vip4, Vip6);
        var random = new Random(7);
        var buffer = new byte[120];
        for (var i = 0; i < 10_000; i++)
        {
            random.NextBytes(buffer);
            _ = detector.Inspect(buffer.AsSpan(0, random.Next(buffer.Length)), Link.Index, PacketBroadcast, i % 2 == 0, out _);
        }

        Assert.Equal(10_000, detector.FramesSeen);
        Assert.Equal(detector.FramesSeen, detector.FramesIgnored + detector.FramesMalformed + detector.Conflicts);
    }

    private static ConflictDetector Watching(params IPAddress[] addresses)
    {
        var detector = new ConflictDetector();
        detector.Watch(addresses.Select(a => new HeldAddress(Link, a)).ToArray());
        return detector;
    }

    private static byte[] Arp(bool reply, PhysicalAddress mac, IPAddress address)
    {
        var frame = new byte[60];
        _ = reply ? ArpFrames.WriteGratuitousReply(frame, mac, address) : ArpFrames.WriteGratuitousRequest(frame, mac, address);
        return frame;
    }
}
