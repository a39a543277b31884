using System.Net;
using System.Net.NetworkInformation;
using System.Text;
using Vipd.Core.Reconcile;
using static Vipd.Linux.Native.IfAddrConstants;
using static Vipd.Linux.Native.IfConstants;
using static Vipd.Linux.Native.IfLinkConstants;
using static Vipd.Linux.Native.RtnetlinkConstants;

namespace Vipd.Linux.Netlink;

/// <summary>Turns RTM_NEWADDR/DELADDR, RTM_NEWLINK/DELLINK and vipd's RTM_NEWROUTE payloads into Core records. Pure; never throws.</summary>
internal static class RtnetlinkParser
{
    private const int IfAddrMsgSize = 8;
    private const int IfInfoMsgSize = 16;
    private const int RtMsgSize = 12;
    private const byte AfInet = 2;
    private const byte AfInet6 = 10;

    /// <summary>The address length of an address family byte: 4 (AF_INET), 16 (AF_INET6), else 0.</summary>
    private static int AddressLengthOf(byte family) => family switch
    {
        AfInet => 4,
        AfInet6 => 16,
        _ => 0,
    };

    /// <summary>Parses an address message; false for families other than IPv4/IPv6 or a malformed payload.</summary>
    public static bool TryParseAddress(ReadOnlySpan<byte> payload, out InterfaceAddress address)
    {
        address = default;
        if (payload.Length < IfAddrMsgSize)
        {
            return false;
        }

        var addressLength = AddressLengthOf(payload[0]);
        if (addressLength == 0)
        {
            return false;
        }

        var prefixLength = payload[1];
        uint flags = payload[2];
        var index = HostOrder.ReadInt32(payload[4..]);
        ReadOnlySpan<byte> local = default;
        ReadOnlySpan<byte> peer = default;
        byte protocol = 0;
        var attributes = new RtAttributeReader(payload[IfAddrMsgSize..]);
        while (attributes.TryRead(out var type, out var value))
        {
            switch (type)
            {
                case IFA_LOCAL when value.Length == addressLength:
                    local = value;
                    break;
                case IFA_ADDRESS when value.Length == addressLength:
                    peer = value;
                    break;
                case IFA_FLAGS when value.Length >= 4:
                    flags = HostOrder.ReadUInt32(value);
                    break;
                case IFA_PROTO when value.Length >= 1:
                    protocol = value[0];
                    break;
                default:
                    break;
            }
        }

        // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer on point-to-point links (and the only
        // one IPv6 sends).
        var bytes = local.IsEmpty ? peer : local;
        if (bytes.IsEmpty || attributes.IsMalformed)
        {
            return false;
        }

        address = new InterfaceAddress(index, new IPAddress(bytes), prefixLength, MapFlags(flags), protocol == AddressProtocol.Vipd);
        return true;
    }

    /// <summary>
    /// Parses a route message as one of vipd's holds (<see cref="AddressHold"/>): a <c>local</c> route for one
    /// address in table local with vipd's protocol. False for every other route and for a malformed payload.
    /// </summary>
    public static bool TryParseHold(ReadOnlySpan<byte> payload, out AddressHold hold)
    {
        hold = default;
        if (payload.Length < RtMsgSize)
        {
            return false;
        }

        var addressLength = AddressLengthOf(payload[0]);
        uint table = payload[4];
        if (addressLength == 0 || payload[1] != addressLength * 8 || payload[5] != AddressProtocol.Vipd || payload[7] != RTN_LOCAL)
        {
            return false;
        }

        ReadOnlySpan<byte> destination = default;
        var index = 0;
        var attributes = new RtAttributeReader(payload[RtMsgSize..]);
        while (attributes.TryRead(out var type, out var value))
        {
            switch (type)
            {
                case RTA_DST when value.Length == addressLength:
                    destination = value;
                    break;
                case RTA_OIF when value.Length >= 4:
                    index = HostOrder.ReadInt32(value);
                    break;
                case RTA_TABLE when value.Length >= 4:
                    table = HostOrder.ReadUInt32(value);
                    break;
                default:
                    break;
            }
        }

        if (destination.IsEmpty || index <= 0 || table != RT_TABLE_LOCAL || attributes.IsMalformed)
        {
            return false;
        }

        hold = new AddressHold(index, new IPAddress(destination));
        return true;
    }

    /// <summary>Parses a link message; false for a malformed payload.</summary>
    public static bool TryParseLink(ReadOnlySpan<byte> payload, out LinkInfo? link)
    {
        link = null;
        if (payload.Length < IfInfoMsgSize)
        {
            return false;
        }

        var index = HostOrder.ReadInt32(payload[4..]);
        var flags = HostOrder.ReadUInt32(payload[8..]);
        string? name = null;
        var mac = PhysicalAddress.None;
        var mtu = 0;
        var attributes = new RtAttributeReader(payload[IfInfoMsgSize..]);
        while (attributes.TryRead(out var type, out var value))
        {
            switch (type)
            {
                case IFLA_IFNAME:
                    var end = value.IndexOf((byte)0);
                    name = Encoding.UTF8.GetString(end >= 0 ? value[..end] : value);
                    break;
                case IFLA_ADDRESS:
                    mac = new PhysicalAddress(value.ToArray());
                    break;
                case IFLA_MTU when value.Length >= 4:
                    mtu = (int)HostOrder.ReadUInt32(value);
                    break;
                default:
                    break;
            }
        }

        if (name is null || attributes.IsMalformed)
        {
            return false;
        }

        link = new LinkInfo(index, name, mac, IsUp(flags), mtu);
        return true;
    }

    /// <summary>The link's ifi_flags from a link message (0 when too short).</summary>
    public static uint LinkFlags(ReadOnlySpan<byte> payload) => payload.Length < IfInfoMsgSize ? 0 : HostOrder.ReadUInt32(payload[8..]);

    /// <summary>The ifi_index of a link message (0 when too short).</summary>
    public static int LinkIndex(ReadOnlySpan<byte> payload) => payload.Length < IfInfoMsgSize ? 0 : HostOrder.ReadInt32(payload[4..]);

    /// <summary>Up for vipd: administratively up and the lower layer running.</summary>
    public static bool IsUp(uint flags) => (flags & IFF_UP) != 0 && (flags & IFF_LOWER_UP) != 0;

    public static AddressFlags MapFlags(uint flags)
    {
        var result = AddressFlags.None;
        if ((flags & IFA_F_TENTATIVE) != 0)
        {
            result |= AddressFlags.Tentative;
        }

        if ((flags & IFA_F_DADFAILED) != 0)
        {
            result |= AddressFlags.DadFailed;
        }

        if ((flags & IFA_F_NODAD) != 0)
        {
            result |= AddressFlags.NoDad;
        }

        if ((flags & IFA_F_PERMANENT) != 0)
        {
            result |= AddressFlags.Permanent;
        }

        if ((flags & IFA_F_DEPRECATED) != 0)
        {
            result |= AddressFlags.Deprecated;
        }

        return result;
    }
}
