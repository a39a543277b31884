using System.Net;
using System.Net.Sockets;
using Vipd.Core.Reconcile;
using static Vipd.Linux.Native.IfAddrConstants;
using static Vipd.Linux.Native.IfLinkConstants;
using static Vipd.Linux.Native.NetlinkConstants;
using static Vipd.Linux.Native.RtnetlinkConstants;

namespace Vipd.Linux.Netlink;

/// <summary>Builds the rtnetlink requests vipd sends. Pure: bytes only, tested against captured kernel traffic.</summary>
internal static class RtnetlinkRequests
{
    /// <summary>
    /// RTM_NEWADDR (create, exclusive: EEXIST when present) or RTM_DELADDR. IPv4 carries IFA_LOCAL, IFA_ADDRESS and
    /// the broadcast address (prefixes up to /30); IPv6 carries IFA_ADDRESS and IFA_F_NODAD. Adds are marked with
    /// IFA_PROTO <see cref="AddressProtocol.Vipd"/>.
    /// </summary>
    public static void WriteAddressChange(ref NetlinkMessageWriter writer, AddressChange change, uint sequence, bool ack)
    {
        var address = change.Address;
        var family = NetlinkMessageWriter.FamilyOf(address);
        var isV4 = address.AddressFamily == AddressFamily.InterNetwork;
        var maxPrefix = isV4 ? 32 : 128;
        if (change.PrefixLength < 0 || change.PrefixLength > maxPrefix)
        {
            throw new ArgumentOutOfRangeException(nameof(change), $"Prefix length {change.PrefixLength} is out of range.");
        }

        var add = change.Kind == AddressChangeKind.Add;
        var flags = (ushort)(NLM_F_REQUEST | (ack ? NLM_F_ACK : 0) | (add ? NLM_F_CREATE | NLM_F_EXCL : 0));
        writer.BeginMessage(add ? RTM_NEWADDR : RTM_DELADDR, flags, sequence);
        var addressFlags = add && !isV4 ? IFA_F_NODAD : 0;
        writer.WriteIfAddrMsg(family, (byte)change.PrefixLength, (byte)addressFlags, RT_SCOPE_UNIVERSE, change.InterfaceIndex);
        if (isV4)
        {
            writer.WriteAttributeAddress(IFA_LOCAL, address);
        }

        writer.WriteAttributeAddress(IFA_ADDRESS, address);
        if (add)
        {
            if (isV4 && change.PrefixLength <= 30)
            {
                writer.WriteAttributeAddress(IFA_BROADCAST, Broadcast(address, change.PrefixLength));
            }

            if (!isV4)
            {
                writer.WriteAttributeU32(IFA_FLAGS, addressFlags);
            }

            writer.WriteAttributeU8(IFA_PROTO, AddressProtocol.Vipd);
        }

        writer.EndMessage();
    }

    /// <summary>
    /// RTM_NEWROUTE (create, exclusive: EEXIST when present) or RTM_DELROUTE of a hold: a <c>local</c> route for the
    /// address alone (/32, /128) in table local, scope host, protocol and metric <see cref="AddressProtocol"/>'s,
    /// through the interface; as <c>ip route add local ADDRESS dev IFACE table local proto 0x76 metric 118</c>.
    /// </summary>
    public static void WriteHoldChange(ref NetlinkMessageWriter writer, AddressHold hold, bool add, uint sequence)
    {
        var family = NetlinkMessageWriter.FamilyOf(hold.Address);
        var hostLength = hold.Address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var flags = (ushort)(NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_EXCL : 0));
        writer.BeginMessage(add ? RTM_NEWROUTE : RTM_DELROUTE, flags, sequence);
        writer.WriteRtMsg(family, (byte)hostLength, RT_TABLE_LOCAL, AddressProtocol.Vipd, RT_SCOPE_HOST, RTN_LOCAL);
        writer.WriteAttributeAddress(RTA_DST, hold.Address);
        writer.WriteAttributeU32(RTA_OIF, (uint)hold.InterfaceIndex);
        writer.WriteAttributeU32(RTA_PRIORITY, AddressProtocol.HoldMetric);
        writer.WriteAttributeU32(RTA_TABLE, RT_TABLE_LOCAL);
        writer.EndMessage();
    }

    /// <summary>A dump request: RTM_GETADDR, RTM_GETROUTE (all families: 0) or RTM_GETLINK.</summary>
    public static void WriteDump(ref NetlinkMessageWriter writer, ushort type, byte family, uint sequence)
    {
        writer.BeginMessage(type, NLM_F_REQUEST | NLM_F_DUMP, sequence);
        if (type == RTM_GETLINK)
        {
            writer.WriteIfInfoMsg(family, 0, 0, 0);
        }
        else if (type == RTM_GETROUTE)
        {
            writer.WriteRtMsg(family, 0, 0, 0, 0, 0);
        }
        else
        {
            writer.WriteIfAddrMsg(family, 0, 0, 0, 0);
        }

        writer.EndMessage();
    }

    /// <summary>RTM_GETLINK for one interface, by name (index 0) or by index (name null), acknowledged.</summary>
    public static void WriteGetLink(ref NetlinkMessageWriter writer, int index, string? name, uint sequence)
    {
        writer.BeginMessage(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, sequence);
        writer.WriteIfInfoMsg(0, index, 0, 0);
        if (name is not null)
        {
            writer.WriteAttributeString(IFLA_IFNAME, name);
        }

        writer.EndMessage();
    }

    /// <summary>The IPv4 broadcast address of a prefix: the address with all host bits set.</summary>
    public static IPAddress Broadcast(IPAddress address, int prefixLength)
    {
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        var value = ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
        var host = prefixLength >= 32 ? 0u : uint.MaxValue >> prefixLength;
        value |= host;
        return new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
    }
}
