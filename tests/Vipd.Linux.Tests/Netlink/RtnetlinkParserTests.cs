using System.Net;
using System.Net.NetworkInformation;
using Vipd.Core.Reconcile;
using Vipd.Linux.Netlink;

namespace Vipd.Linux.Tests.Netlink;

public sealed class RtnetlinkParserTests
{
    [Theory]
    [InlineData("198.51.100.7")]
    [InlineData("2001:db8:ffff::7")]
    public void WriteHoldChange_ThenTryParseHold_RoundTripsAndOnlyVipdsLocalRoutesAreHolds(string address)
    {
        var hold = new AddressHold(1, IPAddress.Parse(address));
        Span<byte> buffer = stackalloc byte[128];
        var writer = new NetlinkMessageWriter(buffer);
        RtnetlinkRequests.WriteHoldChange(ref writer, hold, add: true, 5);
        var bytes = writer.Written.ToArray();
        var reader = new NetlinkMessageReader(bytes);
        Assert.True(reader.TryRead(out var message));
        Assert.Equal(24, message.Type); // RTM_NEWROUTE
        Assert.Equal(0x605, message.Flags); // REQUEST | ACK | EXCL | CREATE

        Assert.True(RtnetlinkParser.TryParseHold(message.Payload, out var parsed));
        Assert.Equal(hold, parsed);

        // The kernel's own local route of an address (protocol kernel = 2) and a unicast route are not holds.
        var payload = message.Payload.ToArray();
        payload[5] = 2;
        Assert.False(RtnetlinkParser.TryParseHold(payload, out _));
        payload[5] = 0x76;
        payload[7] = 1;
        Assert.False(RtnetlinkParser.TryParseHold(payload, out _));
        Assert.False(RtnetlinkParser.TryParseHold(payload.AsSpan(0, 11), out _));
    }

    [Fact]
    public void TryParseAddress_CapturedDump_AllAddressesWithFlagsAndMark()
    {
        var addresses = new List<InterfaceAddress>();
        var reader = new NetlinkMessageReader(Captured.Bytes(Captured.AddressDump));
        while (reader.TryRead(out var message))
        {
            Assert.True(RtnetlinkParser.TryParseAddress(message.Payload, out var address));
            addresses.Add(address);
        }

        Assert.Equal(
            [
                new InterfaceAddress(1, IPAddress.Parse("127.0.0.1"), 8, AddressFlags.Permanent, false),
                new InterfaceAddress(3, IPAddress.Parse("192.0.2.11"), 24, AddressFlags.Permanent, false),
                new InterfaceAddress(3, IPAddress.Parse("192.0.2.200"), 24, AddressFlags.Permanent, true),
                new InterfaceAddress(3, IPAddress.Parse("2001:db8::200"), 64, AddressFlags.Permanent | AddressFlags.NoDad, true),
            ],
            addresses);
    }

    [Fact]
    public void TryParseLink_CapturedDump_Eth0()
    {
        var links = new List<LinkInfo>();
        var reader = new NetlinkMessageReader(Captured.Bytes(Captured.LinkDumpEth0));
        while (reader.TryRead(out var message))
        {
            Assert.True(RtnetlinkParser.TryParseLink(message.Payload, out var link));
            links.Add(link!);
        }

        var eth0 = Assert.Single(links, l => l.Name == "eth0");
        Assert.Equal(3, eth0.Index);
        Assert.Equal(PhysicalAddress.Parse("02-00-00-00-00-01"), eth0.Mac);
        Assert.Equal(1500, eth0.Mtu);
        Assert.True(eth0.IsUp);
    }

    [Fact]
    public void TryParseAddress_UnknownFamily_False()
    {
        var payload = Convert.FromHexString("07180000030000000800010001020304");

        Assert.False(RtnetlinkParser.TryParseAddress(payload, out _));
    }

    [Fact]
    public void TryParseAddress_NoAddressAttribute_False()
    {
        var payload = Convert.FromHexString("0218000003000000" + "0800080080000000");

        Assert.False(RtnetlinkParser.TryParseAddress(payload, out _));
    }

    [Fact]
    public void TryParseAddress_TruncatedHeader_False()
    {
        Assert.False(RtnetlinkParser.TryParseAddress(Convert.FromHexString("021800"), out _));
        Assert.False(RtnetlinkParser.TryParseLink(Convert.FromHexString("0000010003000000"), out _));
    }

    [Fact]
    public void TryParseAddress_IfaFlagsAttribute_OverridesHeaderByte()
    {
        // Header flags byte 0x80 (permanent); IFA_FLAGS 0x48 (tentative, no permanent) wins.
        var payload = Convert.FromHexString("0A40800003000000" + "1400010020010DB8000000000000000000000200" + "0800080048000000");

        Assert.True(RtnetlinkParser.TryParseAddress(payload, out var address));

        Assert.Equal(AddressFlags.Tentative | AddressFlags.DadFailed, address.Flags);
        Assert.False(address.AddedByVipd);
    }

    [Theory]
    [InlineData(0x40u, AddressFlags.Tentative)]
    [InlineData(0x08u, AddressFlags.DadFailed)]
    [InlineData(0x02u, AddressFlags.NoDad)]
    [InlineData(0x80u, AddressFlags.Permanent)]
    [InlineData(0x20u, AddressFlags.Deprecated)]
    [InlineData(0x01u | 0x100u | 0x200u, AddressFlags.None)]
    public void MapFlags_KernelFlag_VipdFlag(uint kernel, AddressFlags expected)
    {
        Assert.Equal(expected, RtnetlinkParser.MapFlags(kernel));
    }

    [Theory]
    [InlineData(0x1u | 0x10000u, true)]
    [InlineData(0x1u | 0x40u, false)]
    [InlineData(0x10000u, false)]
    [InlineData(0x1043u | 0x10000u, true)]
    public void IsUp_Flags_UpAndLowerUp(uint flags, bool expected)
    {
        Assert.Equal(expected, RtnetlinkParser.IsUp(flags));
    }
}
