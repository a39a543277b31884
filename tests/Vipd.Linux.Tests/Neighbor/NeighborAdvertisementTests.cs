using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using Vipd.Linux.Neighbor;

namespace Vipd.Linux.Tests.Neighbor;

public class NeighborAdvertisementTests
{
    private static readonly PhysicalAddress Mac = PhysicalAddress.Parse("02-00-5E-10-20-30");
    private static readonly IPAddress Vip = IPAddress.Parse("2001:db8::200");

    // A solicited NA the kernel (6.18) sent from 2001:db8::11 (02:00:00:00:00:11) to 2001:db8::100 (02:00:00:00:00:64),
    // captured with tcpdump in a namespace pair. Checksum 0x8945, flags S|O.
    private static readonly byte[] KernelSolicitedNa =
    [
        0x02, 0x00, 0x00, 0x00, 0x00, 0x64, 0x02, 0x00, 0x00, 0x00, 0x00, 0x11, 0x86, 0xdd, 0x60, 0x00,
        0x00, 0x00, 0x00, 0x20, 0x3a, 0xff, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x11, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x88, 0x00, 0x89, 0x45, 0x60, 0x00, 0x00, 0x00, 0x20, 0x01,
        0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x11, 0x02, 0x01,
        0x02, 0x00, 0x00, 0x00, 0x00, 0x11,
    ];

    [Fact]
    public void Write_NotForwarding_OverrideOnlyAndTargetLinkLayerOption()
    {
        var payload = new byte[40];
        payload.AsSpan().Fill(0xEE);
        var length = NeighborAdvertisement.Write(payload, Vip, Mac, router: false);
        byte[] expected =
        [
            136, 0, 0x00, 0x00,                 // type NA, code 0, checksum left to the kernel
            0x20, 0, 0, 0,                      // R=0 S=0 O=1, reserved
            0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x00, // target 2001:db8::200
            2, 1,                               // option 2 (target link-layer address), 8 bytes
            0x02, 0x00, 0x5e, 0x10, 0x20, 0x30,
        ];
        Assert.Equal(32, length);
        Assert.Equal(expected, payload[..32]);
        Assert.All(payload[32..], b => Assert.Equal(0xEE, b));
    }

    [Fact]
    public void Write_Forwarding_SetsRouterFlag()
    {
        var payload = new byte[32];
        NeighborAdvertisement.Write(payload, Vip, Mac, router: true);
        Assert.Equal(0xA0, payload[4]);
    }

    [Fact]
    public void Write_IPv4Target_Throws()
    {
        var payload = new byte[32];
        Assert.Throws<ArgumentException>(() => NeighborAdvertisement.Write(payload, IPAddress.Parse("192.0.2.200"), Mac, false));
    }

    [Fact]
    public void Write_ShortBuffer_Throws()
    {
        var payload = new byte[31];
        Assert.Throws<ArgumentException>(() => NeighborAdvertisement.Write(payload, Vip, Mac, false));
    }

    [Fact]
    public void ComputeChecksum_KernelCapturedNa_MatchesKernel()
    {
        var icmp = KernelSolicitedNa.AsSpan(54).ToArray();
        Assert.Equal(0, NeighborAdvertisement.ComputeChecksum(icmp, IPAddress.Parse("2001:db8::11"), IPAddress.Parse("2001:db8::100")));
        NeighborAdvertisement.WriteChecksum(icmp, IPAddress.Parse("2001:db8::11"), IPAddress.Parse("2001:db8::100"));
        Assert.Equal(0x8945, BinaryPrimitives.ReadUInt16BigEndian(icmp.AsSpan(2)));
    }

    [Fact]
    public void ComputeChecksum_OddLength_PadsWithZero()
    {
        byte[] odd = [0x01, 0x02, 0x03];
        byte[] even = [0x01, 0x02, 0x03, 0x00];
        var a = IPAddress.Parse("2001:db8::1");
        // The same words are summed; only the pseudo-header length differs by one, so the complement is one lower.
        Assert.Equal(
            NeighborAdvertisement.ComputeChecksum(even, a, a) + 1,
            NeighborAdvertisement.ComputeChecksum(odd, a, a));
    }

    [Fact]
    public void TryParseFrame_KernelSolicitedNa_Parses()
    {
        Assert.Equal(FrameDropReason.None, NeighborAdvertisement.TryParseFrame(KernelSolicitedNa, out var na));
        Assert.Equal(IPAddress.Parse("2001:db8::11"), na.TargetAddress);
        Assert.True(na.Solicited);
        Assert.True(na.Override);
        Assert.False(na.Router);
        Assert.Equal("02:00:00:00:00:11", na.TargetLinkLayer?.ToString());
        Assert.Equal("02:00:00:00:00:11", na.EthernetSource.ToString());
    }

    [Fact]
    public void TryParseFrame_OwnUnsolicitedNa_RoundTrips()
    {
        var frame = BuildFrame(Vip, Mac, router: true);
        Assert.Equal(FrameDropReason.None, NeighborAdvertisement.TryParseFrame(frame, out var na));
        Assert.Equal(Vip, na.TargetAddress);
        Assert.Equal(NeighborAdvertisement.ToUInt128(Vip), na.Source);
        Assert.Equal(NeighborAdvertisement.ToUInt128(NeighborAdvertisement.AllNodes), na.Destination);
        Assert.True(na.Router);
        Assert.False(na.Solicited);
        Assert.True(na.Override);
        Assert.Equal(MacAddress.From(Mac), na.ClaimedMac);
    }

    [Fact]
    public void TryParseFrame_NoTargetLinkLayerOption_ClaimsEthernetSource()
    {
        var frame = KernelSolicitedNa.AsSpan(0, 54 + 24).ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(18), 24);
        FixChecksum(frame);
        Assert.Equal(FrameDropReason.None, NeighborAdvertisement.TryParseFrame(frame, out var na));
        Assert.Null(na.TargetLinkLayer);
        Assert.Equal("02:00:00:00:00:11", na.ClaimedMac.ToString());
    }

    [Fact]
    public void TryParseFrame_EthernetPadding_Ignored()
    {
        var frame = new byte[KernelSolicitedNa.Length + 10];
        KernelSolicitedNa.CopyTo(frame, 0);
        Assert.Equal(FrameDropReason.None, NeighborAdvertisement.TryParseFrame(frame, out _));
    }

    [Theory]
    [InlineData(12, 0x08, (int)FrameDropReason.WrongEtherType)]
    [InlineData(14, 0x40, (int)FrameDropReason.NotIcmpv6)]              // IPv4 version nibble
    [InlineData(20, 17, (int)FrameDropReason.NotIcmpv6)]                // next header UDP
    [InlineData(21, 64, (int)FrameDropReason.BadHopLimit)]              // routed from elsewhere
    [InlineData(54, 135, (int)FrameDropReason.NotNeighborAdvertisement)] // a Neighbor Solicitation
    [InlineData(55, 1, (int)FrameDropReason.NotNeighborAdvertisement)]  // code 1
    [InlineData(57, 0x46, (int)FrameDropReason.BadChecksum)]
    [InlineData(62, 0x21, (int)FrameDropReason.BadChecksum)]            // target changed, checksum not
    [InlineData(19, 0x40, (int)FrameDropReason.BadLength)]              // payload length 64 > frame
    public void TryParseFrame_WrongField_Dropped(int offset, byte value, int reason)
    {
        var frame = KernelSolicitedNa.ToArray();
        frame[offset] = value;
        Assert.Equal((FrameDropReason)reason, NeighborAdvertisement.TryParseFrame(frame, out _));
    }

    [Theory]
    [InlineData(0)] // option length 0 would loop forever
    [InlineData(2)] // runs 8 bytes past the end
    public void TryParseFrame_BadOptionLength_BadOption(byte optionLength)
    {
        var frame = KernelSolicitedNa.ToArray();
        frame[79] = optionLength;
        FixChecksum(frame);
        Assert.Equal(FrameDropReason.BadOption, NeighborAdvertisement.TryParseFrame(frame, out _));
    }

    [Fact]
    public void TryParseFrame_Truncated_NeverAccepts()
    {
        for (var length = 0; length < KernelSolicitedNa.Length; length++)
        {
            Assert.NotEqual(FrameDropReason.None, NeighborAdvertisement.TryParseFrame(KernelSolicitedNa.AsSpan(0, length), out _));
        }
    }

    [Fact]
    public void TryParseFrame_RandomGarbage_NeverThrows()
    {
        var random = new Random(20261125);
        var buffer = new byte[160];
        for (var i = 0; i < 20_000; i++)
        {
            int length;
            if (i % 2 == 0)
            {
                random.NextBytes(buffer);
                length = random.Next(buffer.Length + 1);
            }
            else
            {
                KernelSolicitedNa.CopyTo(buffer, 0);
                buffer[random.Next(14, KernelSolicitedNa.Length)] = (byte)random.Next(256);
                FixChecksum(buffer.AsSpan(0, KernelSolicitedNa.Length)); // so option parsing is reached
                length = random.Next(40, buffer.Length + 1);
            }

            _ = NeighborAdvertisement.TryParseFrame(buffer.AsSpan(0, length), out _);
        }
    }

    /// <summary>An Ethernet + IPv6 + NA frame as the kernel sends ours: src VIP, dst ff02::1, hop limit 255.</summary>
    internal static byte[] BuildFrame(IPAddress vip, PhysicalAddress mac, bool router)
    {
        var frame = new byte[54 + 32];
        byte[] head = [0x33, 0x33, 0, 0, 0, 1];
        head.CopyTo(frame, 0);
        mac.GetAddressBytes().CopyTo(frame, 6);
        frame[12] = 0x86;
        frame[13] = 0xdd;
        frame[14] = 0x60;
        frame[19] = 32;
        frame[20] = 58;
        frame[21] = 255;
        vip.GetAddressBytes().CopyTo(frame, 22);
        NeighborAdvertisement.AllNodes.GetAddressBytes().CopyTo(frame, 38);
        NeighborAdvertisement.Write(frame.AsSpan(54), vip, mac, router);
        NeighborAdvertisement.WriteChecksum(frame.AsSpan(54), vip, NeighborAdvertisement.AllNodes);
        return frame;
    }

    private static void FixChecksum(Span<byte> frame)
    {
        var payloadLength = Math.Min(BinaryPrimitives.ReadUInt16BigEndian(frame[18..]), frame.Length - 54);
        var icmp = frame.Slice(54, payloadLength);
        if (icmp.Length >= 4)
        {
            NeighborAdvertisement.WriteChecksum(icmp, new IPAddress(frame.Slice(22, 16)), new IPAddress(frame.Slice(38, 16)));
        }
    }
}
