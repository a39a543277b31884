using System.Net;
using Vipd.Core.Reconcile;
using Vipd.Linux.Netlink;

namespace Vipd.Linux.Tests.Netlink;

public sealed class NetlinkMessageWriterTests
{
    [Fact]
    public void WriteAddressChange_AddV4_MatchesRequestTheKernelAccepted()
    {
        // 56 bytes: RTM_NEWADDR, REQUEST|ACK|EXCL|CREATE, seq 0x65; ifaddrmsg AF_INET /24 index 3; IFA_LOCAL,
        // IFA_ADDRESS, IFA_BROADCAST 192.0.2.255, IFA_PROTO 0x76 padded to 8.
        var buffer = new byte[256];
        var writer = new NetlinkMessageWriter(buffer);

        RtnetlinkRequests.WriteAddressChange(ref writer, new AddressChange(AddressChangeKind.Add, 3, IPAddress.Parse("192.0.2.200"), 24), 0x65, ack: true);

        Assert.Equal(Captured.RequestAddV4, Convert.ToHexString(writer.Written));
    }

    [Fact]
    public void WriteAddressChange_AddV6_MatchesRequestTheKernelAccepted()
    {
        // ifa_flags IFA_F_NODAD, IFA_ADDRESS only, IFA_FLAGS 0x2, IFA_PROTO 0x76.
        var buffer = new byte[256];
        var writer = new NetlinkMessageWriter(buffer);

        RtnetlinkRequests.WriteAddressChange(ref writer, new AddressChange(AddressChangeKind.Add, 3, IPAddress.Parse("2001:db8::200"), 64), 0x66, ack: true);

        Assert.Equal(Captured.RequestAddV6, Convert.ToHexString(writer.Written));
    }

    [Fact]
    public void WriteDump_Addresses_MatchesRequestTheKernelAccepted()
    {
        var buffer = new byte[64];
        var writer = new NetlinkMessageWriter(buffer);

        RtnetlinkRequests.WriteDump(ref writer, 22, 0, 0x69);

        Assert.Equal(Captured.RequestDumpAddresses, Convert.ToHexString(writer.Written));
    }

    [Fact]
    public void WriteAddressChange_RemoveV4WithoutAck_DelAddrWithLocalAndAddressOnly()
    {
        var buffer = new byte[256];
        var writer = new NetlinkMessageWriter(buffer);

        RtnetlinkRequests.WriteAddressChange(ref writer, new AddressChange(AddressChangeKind.Remove, 7, IPAddress.Parse("198.51.100.9"), 32), 9, ack: false);

        Assert.Equal(
            "28000000" + "1500" + "0100" + "09000000" + "00000000" + "02200000" + "07000000" +
            "08000200C6336409" + "08000100C6336409",
            Convert.ToHexString(writer.Written));
    }

    [Fact]
    public void WriteAttributeU8_DirtyBuffer_PaddingZeroedAndLengthUnpadded()
    {
        var buffer = Enumerable.Repeat((byte)0xAA, 64).ToArray();
        var writer = new NetlinkMessageWriter(buffer);

        writer.BeginMessage(1, 0, 0);
        writer.WriteAttributeU8(11, 0x76);
        var length = writer.EndMessage();

        Assert.Equal(24, length);
        Assert.Equal("18000000010000000000000000000000" + "05000B0076000000", Convert.ToHexString(writer.Written));
        Assert.Equal(0xAA, buffer[24]);
    }

    [Fact]
    public void WriteAttributeString_Name_NulTerminatedAndPadded()
    {
        var buffer = new byte[64];
        var writer = new NetlinkMessageWriter(buffer);

        writer.BeginMessage(18, 1, 0);
        writer.WriteAttributeString(3, "eth0");
        writer.EndMessage();

        Assert.Equal("09000300657468300000000000", Convert.ToHexString(writer.Written[16..]) + "00");
        Assert.Equal(28, writer.Length);
    }

    [Fact]
    public void WriteGetLink_ByIndex_AckedIfInfoMsg()
    {
        var buffer = new byte[64];
        var writer = new NetlinkMessageWriter(buffer);

        RtnetlinkRequests.WriteGetLink(ref writer, 5, null, 4);

        Assert.Equal("20000000" + "1200" + "0500" + "04000000" + "00000000" + "00000000" + "05000000" + "00000000" + "00000000", Convert.ToHexString(writer.Written));
    }

    [Fact]
    public void EndMessage_NotBegun_Throws()
    {
        var buffer = new byte[64];
        var writer = new NetlinkMessageWriter(buffer);
        var threw = false;
        try
        {
            writer.EndMessage();
        }
        catch (InvalidOperationException)
        {
            threw = true;
        }

        Assert.True(threw);
    }

    [Fact]
    public void WriteAttribute_BufferTooSmall_Throws()
    {
        var buffer = new byte[20];
        var writer = new NetlinkMessageWriter(buffer);
        writer.BeginMessage(1, 0, 0);
        var threw = false;
        try
        {
            writer.WriteAttributeU32(1, 5);
        }
        catch (ArgumentOutOfRangeException)
        {
            threw = true;
        }

        Assert.True(threw);
    }

    [Theory]
    [InlineData("192.0.2.200", 24, "192.0.2.255")]
    [InlineData("198.51.100.9", 30, "198.51.100.11")]
    [InlineData("203.0.113.1", 16, "203.0.255.255")]
    [InlineData("192.0.2.1", 0, "255.255.255.255")]
    public void Broadcast_Prefix_HostBitsSet(string address, int prefix, string expected)
    {
        Assert.Equal(IPAddress.Parse(expected), RtnetlinkRequests.Broadcast(IPAddress.Parse(address), prefix));
    }
}
