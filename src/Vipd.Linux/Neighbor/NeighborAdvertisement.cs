using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Vipd.Linux.Neighbor;

/// <summary>
/// The ICMPv6 payload of an unsolicited Neighbor Advertisement (RFC 4861 4.4) and a parser for received NAs.
/// Pure: no sockets. On a raw ICMPv6 socket the kernel computes the checksum, so <see cref="Write(Span{byte}, IPAddress, PhysicalAddress, bool)"/> leaves it zero;
/// <see cref="WriteChecksum"/> fills it for a caller that builds the IPv6 header itself.
/// </summary>
internal static class NeighborAdvertisement
{
    /// <summary>ICMPv6 header (4), flags (4), target (16), target link-layer address option (8).</summary>
    public const int PayloadLength = 32;

    /// <summary>ICMPv6 type of a Neighbor Advertisement.</summary>
    public const byte Type = 136;

    /// <summary>ETH_P_IPV6.</summary>
    public const ushort EtherTypeIPv6 = 0x86DD;

    /// <summary>IPPROTO_ICMPV6.</summary>
    public const byte NextHeaderIcmpv6 = 58;

    /// <summary>The hop limit an NA must carry, and is sent with.</summary>
    public const byte HopLimit = 255;

    /// <summary>Ethernet (14) + IPv6 (40): where ICMPv6 starts in a frame.</summary>
    public const int IcmpOffsetInFrame = 54;

    private const byte FlagRouter = 0x80;
    private const byte FlagSolicited = 0x40;
    private const byte FlagOverride = 0x20;
    private const byte OptionTargetLinkLayer = 2;
    private const int MinimumLength = 24;

    /// <summary>ff02::1, all nodes.</summary>
    public static IPAddress AllNodes { get; } = IPAddress.Parse("ff02::1");

    /// <summary>
    /// Writes an unsolicited NA: type 136, code 0, Override set, Solicited clear, Router = <paramref name="router"/>
    /// (set it only when the interface forwards), target = <paramref name="target"/>, option 2 (target link-layer
    /// address) = <paramref name="mac"/>. The checksum is left zero.
    /// </summary>
    /// <returns>The payload length, <see cref="PayloadLength"/>.</returns>
    public static int Write(Span<byte> destination, IPAddress target, PhysicalAddress mac, bool router) =>
        Write(destination, ToUInt128(target), MacAddress.From(mac), router);

    /// <summary>The allocation-free core of <see cref="Write(Span{byte}, IPAddress, PhysicalAddress, bool)"/>.</summary>
    internal static int Write(Span<byte> destination, UInt128 target, MacAddress mac, bool router)
    {
        if (destination.Length < PayloadLength)
        {
            throw new ArgumentException($"A Neighbor Advertisement needs {PayloadLength} bytes.", nameof(destination));
        }

        var na = destination[..PayloadLength];
        na.Clear();
        na[0] = Type;
        na[4] = (byte)(FlagOverride | (router ? FlagRouter : 0));
        BinaryPrimitives.WriteUInt128BigEndian(na[8..], target);
        na[24] = OptionTargetLinkLayer;
        na[25] = 1;
        mac.Write(na[26..]);
        return PayloadLength;
    }

    /// <summary>Computes the ICMPv6 checksum of <paramref name="icmp"/> (its checksum field included as it is).</summary>
    public static ushort ComputeChecksum(ReadOnlySpan<byte> icmp, IPAddress source, IPAddress destination) =>
        ComputeChecksum(icmp, ToUInt128(source), ToUInt128(destination));

    /// <summary>Zeroes the checksum field, then writes the checksum over the pseudo-header and <paramref name="icmp"/>.</summary>
    public static void WriteChecksum(Span<byte> icmp, IPAddress source, IPAddress destination)
    {
        icmp[2] = 0;
        icmp[3] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], ComputeChecksum(icmp, ToUInt128(source), ToUInt128(destination)));
    }

    /// <summary>
    /// RFC 4443 2.3: the one's complement of the one's complement sum over the IPv6 pseudo-header (source,
    /// destination, upper-layer length, next header 58) and the ICMPv6 message. Over a message whose checksum field
    /// is correct the result is 0.
    /// </summary>
    internal static ushort ComputeChecksum(ReadOnlySpan<byte> icmp, UInt128 source, UInt128 destination)
    {
        ulong sum = 0;
        sum += Sum128(source);
        sum += Sum128(destination);
        sum += (uint)icmp.Length >> 16;
        sum += (uint)icmp.Length & 0xFFFF;
        sum += NextHeaderIcmpv6;
        var i = 0;
        for (; i + 1 < icmp.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(icmp[i..]);
        }

        if (i < icmp.Length)
        {
            sum += (ulong)icmp[i] << 8;
        }

        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    /// <summary>
    /// Parses an Ethernet frame carrying IPv6 (no extension headers) with an ICMPv6 Neighbor Advertisement: checks
    /// the hop limit (255), the checksum, the length and the options. Never throws; trailing padding is ignored.
    /// </summary>
    public static FrameDropReason TryParseFrame(ReadOnlySpan<byte> frame, out NeighborAdvertisementPacket packet)
    {
        packet = default;
        if (frame.Length < IcmpOffsetInFrame)
        {
            return FrameDropReason.TooShort;
        }

        if (BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != EtherTypeIPv6)
        {
            return FrameDropReason.WrongEtherType;
        }

        var ip = frame[14..];
        if (ip[0] >> 4 != 6 || ip[6] != NextHeaderIcmpv6)
        {
            return FrameDropReason.NotIcmpv6;
        }

        int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
        if (payloadLength > frame.Length - IcmpOffsetInFrame)
        {
            return FrameDropReason.BadLength;
        }

        var icmp = frame.Slice(IcmpOffsetInFrame, payloadLength);
        if (icmp.Length < 2)
        {
            return FrameDropReason.TooShort;
        }

        if (icmp[0] != Type || icmp[1] != 0)
        {
            return FrameDropReason.NotNeighborAdvertisement;
        }

        if (icmp.Length < MinimumLength)
        {
            return FrameDropReason.TooShort;
        }

        if (ip[7] != HopLimit)
        {
            return FrameDropReason.BadHopLimit;
        }

        var source = NeighborAdvertisementPacket.ReadAddress(ip[8..]);
        var destination = NeighborAdvertisementPacket.ReadAddress(ip[24..]);
        if (ComputeChecksum(icmp, source, destination) != 0)
        {
            return FrameDropReason.BadChecksum;
        }

        MacAddress? targetLinkLayer = null;
        var options = icmp[MinimumLength..];
        while (options.Length > 0)
        {
            if (options.Length < 2 || options[1] == 0 || options[1] * 8 > options.Length)
            {
                return FrameDropReason.BadOption;
            }

            var length = options[1] * 8;
            if (options[0] == OptionTargetLinkLayer && length >= 8 && targetLinkLayer is null)
            {
                targetLinkLayer = MacAddress.Read(options[2..]);
            }

            options = options[length..];
        }

        var flags = icmp[4];
        packet = new NeighborAdvertisementPacket(
            MacAddress.Read(frame[6..]),
            source,
            destination,
            NeighborAdvertisementPacket.ReadAddress(icmp[8..]),
            (flags & FlagRouter) != 0,
            (flags & FlagSolicited) != 0,
            (flags & FlagOverride) != 0,
            targetLinkLayer);
        return FrameDropReason.None;
    }

    /// <summary>An IPv6 address as a big-endian <see cref="UInt128"/>; throws for IPv4.</summary>
    internal static UInt128 ToUInt128(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            throw new ArgumentException($"{address} is not an IPv6 address.", nameof(address));
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    /// <summary>A big-endian <see cref="UInt128"/> as an <see cref="IPAddress"/> (allocates).</summary>
    internal static IPAddress ToAddress(UInt128 value)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return new IPAddress(bytes);
    }

    private static ulong Sum128(UInt128 value)
    {
        ulong sum = 0;
        for (var shift = 0; shift < 128; shift += 16)
        {
            sum += (ulong)(ushort)(value >> shift);
        }

        return sum;
    }
}
