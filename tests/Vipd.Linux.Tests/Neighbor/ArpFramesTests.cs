using System.Net;
using System.Net.NetworkInformation;
using Vipd.Linux.Neighbor;

namespace Vipd.Linux.Tests.Neighbor;

public class ArpFramesTests
{
    private static readonly PhysicalAddress Mac = PhysicalAddress.Parse("02-00-5E-10-20-30");
    private static readonly IPAddress Vip = IPAddress.Parse("192.0.2.200");

    [Fact]
    public void WriteGratuitousRequest_Vip_MatchesBytes()
    {
        var frame = new byte[64];
        var length = ArpFrames.WriteGratuitousRequest(frame, Mac, Vip);
        byte[] expected =
        [
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // Ethernet destination: broadcast
            0x02, 0x00, 0x5e, 0x10, 0x20, 0x30, // Ethernet source
            0x08, 0x06,                         // EtherType ARP
            0x00, 0x01, 0x08, 0x00, 6, 4,       // Ethernet, IPv4, hlen 6, plen 4
            0x00, 0x01,                         // op = request
            0x02, 0x00, 0x5e, 0x10, 0x20, 0x30, // sender MAC
            192, 0, 2, 200,                     // sender IP = VIP
            0, 0, 0, 0, 0, 0,                   // target MAC zero
            192, 0, 2, 200,                     // target IP = VIP
        ];
        Assert.Equal(42, length);
        Assert.Equal(expected, frame[..length]);
        Assert.All(frame[length..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void WriteGratuitousReply_Vip_TargetMacIsSenderMac()
    {
        var frame = new byte[42];
        var length = ArpFrames.WriteGratuitousReply(frame, Mac, Vip);
        byte[] expected =
        [
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0x02, 0x00, 0x5e, 0x10, 0x20, 0x30,
            0x08, 0x06,
            0x00, 0x01, 0x08, 0x00, 6, 4,
            0x00, 0x02,                         // op = reply
            0x02, 0x00, 0x5e, 0x10, 0x20, 0x30,
            192, 0, 2, 200,
            0x02, 0x00, 0x5e, 0x10, 0x20, 0x30, // target MAC = sender MAC
            192, 0, 2, 200,
        ];
        Assert.Equal(42, length);
        Assert.Equal(expected, frame);
    }

    [Fact]
    public void WriteGratuitousRequest_ShortBuffer_Throws()
    {
        var frame = new byte[41];
        Assert.Throws<ArgumentException>(() => ArpFrames.WriteGratuitousRequest(frame, Mac, Vip));
    }

    [Fact]
    public void WriteGratuitousRequest_IPv6Address_Throws()
    {
        var frame = new byte[42];
        Assert.Throws<ArgumentException>(() => ArpFrames.WriteGratuitousRequest(frame, Mac, IPAddress.Parse("2001:db8::1")));
    }

    [Fact]
    public void WriteGratuitousRequest_MacOfWrongLength_Throws()
    {
        var frame = new byte[42];
        Assert.Throws<ArgumentException>(() => ArpFrames.WriteGratuitousRequest(frame, new PhysicalAddress([1, 2, 3]), Vip));
    }

    [Fact]
    public void TryParse_OwnReply_RoundTrips()
    {
        var frame = new byte[60]; // padded to the Ethernet minimum as on a wire
        ArpFrames.WriteGratuitousReply(frame, Mac, Vip);

        Assert.Equal(FrameDropReason.None, ArpFrames.TryParse(frame, out var packet));
        Assert.Equal(ArpFrames.OperationReply, packet.Operation);
        Assert.Equal(MacAddress.From(Mac), packet.SenderMac);
        Assert.Equal(MacAddress.From(Mac), packet.TargetMac);
        Assert.Equal(MacAddress.From(Mac), packet.EthernetSource);
        Assert.Equal(Vip, packet.SenderAddress);
        Assert.Equal(Vip, packet.TargetAddress);
        Assert.True(packet.IsGratuitous);
    }

    [Fact]
    public void TryParse_KernelArpRequest_Parses()
    {
        // Who has 192.0.2.11? Tell 192.0.2.100 — as the kernel sends it (42 bytes, unpadded on a veth).
        byte[] frame =
        [
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x64, 0x08, 0x06,
            0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
            0x02, 0x00, 0x00, 0x00, 0x00, 0x64, 192, 0, 2, 100,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 192, 0, 2, 11,
        ];
        Assert.Equal(FrameDropReason.None, ArpFrames.TryParse(frame, out var packet));
        Assert.Equal(ArpFrames.OperationRequest, packet.Operation);
        Assert.Equal(IPAddress.Parse("192.0.2.100"), packet.SenderAddress);
        Assert.Equal(IPAddress.Parse("192.0.2.11"), packet.TargetAddress);
        Assert.Equal("02:00:00:00:00:64", packet.SenderMac.ToString());
        Assert.False(packet.IsGratuitous);
    }

    [Theory]
    [InlineData(0, (int)FrameDropReason.TooShort)]
    [InlineData(41, (int)FrameDropReason.TooShort)]
    public void TryParse_Truncated_TooShort(int length, int reason)
    {
        var frame = new byte[42];
        ArpFrames.WriteGratuitousRequest(frame, Mac, Vip);
        Assert.Equal((FrameDropReason)reason, ArpFrames.TryParse(frame.AsSpan(0, length), out var packet));
        Assert.Equal(default, packet);
    }

    [Theory]
    [InlineData(13, 0x08, (int)FrameDropReason.WrongEtherType)]       // EtherType 0x0806 -> 0x0808
    [InlineData(15, 0x06, (int)FrameDropReason.UnsupportedArp)]       // hardware type 6 (IEEE 802)
    [InlineData(16, 0x86, (int)FrameDropReason.UnsupportedArp)]       // protocol 0x86dd
    [InlineData(18, 8, (int)FrameDropReason.UnsupportedArp)]          // hardware length 8
    [InlineData(19, 16, (int)FrameDropReason.UnsupportedArp)]         // protocol length 16
    [InlineData(21, 3, (int)FrameDropReason.UnsupportedArpOperation)] // RARP request
    [InlineData(21, 0, (int)FrameDropReason.UnsupportedArpOperation)]
    public void TryParse_WrongField_Dropped(int offset, byte value, int reason)
    {
        var frame = new byte[42];
        ArpFrames.WriteGratuitousRequest(frame, Mac, Vip);
        frame[offset] = value;
        Assert.Equal((FrameDropReason)reason, ArpFrames.TryParse(frame, out _));
    }

    [Fact]
    public void TryParse_RandomGarbage_NeverThrows()
    {
        var random = new Random(20261125);
        var buffer = new byte[128];
        var valid = new byte[42];
        ArpFrames.WriteGratuitousReply(valid, Mac, Vip);
        for (var i = 0; i < 20_000; i++)
        {
            var length = random.Next(buffer.Length + 1);
            if (i % 2 == 0)
            {
                random.NextBytes(buffer);
            }
            else
            {
                // Mutate a valid frame: keeps most of the header plausible so deeper checks run.
                valid.CopyTo(buffer, 0);
                buffer[random.Next(42)] = (byte)random.Next(256);
                length = random.Next(30, 60);
            }

            _ = ArpFrames.TryParse(buffer.AsSpan(0, length), out _);
        }
    }
}
