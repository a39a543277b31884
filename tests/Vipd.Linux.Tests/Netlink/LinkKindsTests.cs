using System.Buffers.Binary;
using System.Net.NetworkInformation;
using System.Text;
using Vipd.Core.Reconcile;
using Vipd.Linux.Netlink;

namespace Vipd.Linux.Tests.Netlink;

/// <summary>
/// The interface lookup for kinds the lab kernel cannot build (bonds, VLAN sub-interfaces): vipd announces from the
/// link the VIP is bound to, found by its name, so its frames carry that link's own MAC — a bond's, never a slave's
/// (metallb#316), a VLAN sub-interface's, whatever its parent's. The RTM_NEWLINK payloads are built here in
/// rtnetlink's layout (struct ifinfomsg, then attributes: the name, the MAC, IFLA_MASTER on a slave, IFLA_LINK and
/// IFLA_LINKINFO kind "vlan" or "bond"), since the lab kernel has neither bonding nor 8021q to capture them from.
/// </summary>
public sealed class LinkKindsTests
{
    private const ushort IflaAddress = 1;
    private const ushort IflaIfname = 3;
    private const ushort IflaMtu = 4;
    private const ushort IflaLink = 5;
    private const ushort IflaMaster = 10;
    private const ushort IflaLinkinfo = 18;
    private const ushort IflaInfoKind = 1;
    private const uint Up = 0x1 | 0x10000; // IFF_UP | IFF_LOWER_UP

    private static readonly PhysicalAddress BondMac = PhysicalAddress.Parse("02-00-00-00-0B-01");
    private static readonly PhysicalAddress SlaveMac = PhysicalAddress.Parse("02-00-00-00-0E-01");
    private static readonly PhysicalAddress VlanMac = PhysicalAddress.Parse("02-00-00-00-01-64");

    [Fact]
    public void TryParseLink_BondAndItsSlave_EachCarriesItsOwnMac()
    {
        // active-backup with fail_over_mac=active: the slave keeps its own MAC, the bond has another.
        var bond = Link(7, "bond0", BondMac, Attribute(IflaLinkinfo, Attribute(IflaInfoKind, Encoding.ASCII.GetBytes("bond\0"))));
        var slave = Link(3, "eth1", SlaveMac, Attribute(IflaMaster, BitConverter.GetBytes(7)));

        var links = new[] { slave, bond }.Select(p => Assert.IsType<LinkInfo>(Parse(p))).ToList();

        var found = Assert.Single(links, l => l.Name == "bond0");
        Assert.Equal((7, BondMac), (found.Index, found.Mac));
        Assert.Equal(SlaveMac, Assert.Single(links, l => l.Name == "eth1").Mac);
    }

    [Fact]
    public void TryParseLink_VlanSubInterface_ItsOwnNameIndexAndMac()
    {
        var vlan = Link(9, "eth0.100", VlanMac,
            Attribute(IflaLink, BitConverter.GetBytes(2)),
            Attribute(IflaLinkinfo, Attribute(IflaInfoKind, Encoding.ASCII.GetBytes("vlan\0"))));

        var link = Assert.IsType<LinkInfo>(Parse(vlan));

        Assert.Equal(("eth0.100", 9, VlanMac, true), (link.Name, link.Index, link.Mac, link.IsUp));
    }

    [Fact]
    public void ArpFrames_FromTheBondsLink_BondMacAsEthernetSourceAndSender()
    {
        var bond = Assert.IsType<LinkInfo>(Parse(Link(7, "bond0", BondMac)));
        var frame = new byte[42];

        Vipd.Linux.Neighbor.ArpFrames.WriteGratuitousRequest(frame, bond.Mac, System.Net.IPAddress.Parse("192.0.2.200"));

        Assert.Equal(BondMac.GetAddressBytes(), frame[6..12]);   // Ethernet source
        Assert.Equal(BondMac.GetAddressBytes(), frame[22..28]);  // ARP sender hardware address
        Assert.Equal(new byte[] { 0x08, 0x06 }, frame[12..14]); // untagged: a VLAN device adds its 802.1Q tag itself
    }

    private static LinkInfo? Parse(byte[] payload)
    {
        Assert.True(RtnetlinkParser.TryParseLink(payload, out var link));
        return link;
    }

    private static byte[] Link(int index, string name, PhysicalAddress mac, params byte[][] extra)
    {
        var header = new byte[16]; // struct ifinfomsg
        header[2] = 1; // ARPHRD_ETHER
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), index);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), Up);
        return [.. header, .. Attribute(IflaIfname, Encoding.ASCII.GetBytes(name + "\0")), .. Attribute(IflaAddress, mac.GetAddressBytes()),
            .. Attribute(IflaMtu, BitConverter.GetBytes(1500)), .. extra.SelectMany(a => a)];
    }

    private static byte[] Attribute(ushort type, byte[] value)
    {
        var length = 4 + value.Length;
        var attribute = new byte[(length + 3) & ~3];
        BinaryPrimitives.WriteUInt16LittleEndian(attribute, (ushort)length);
        BinaryPrimitives.WriteUInt16LittleEndian(attribute.AsSpan(2), type);
        value.CopyTo(attribute, 4);
        return attribute;
    }
}
