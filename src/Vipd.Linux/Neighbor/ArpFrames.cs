using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Vipd.Linux.Neighbor;

/// <summary>
/// Gratuitous ARP frames (Ethernet header included) and a parser for received ARP frames. Pure: no sockets.
/// Frames are 42 bytes and are not padded to the 60-byte Ethernet minimum: the kernel's own ARP (arp_create)
/// sends 42 bytes too, and the driver or NIC pads on the wire; a veth carries them unpadded.
/// </summary>
internal static class ArpFrames
{
    /// <summary>Ethernet header (14) plus an Ethernet/IPv4 ARP packet (28).</summary>
    public const int FrameLength = 42;

    /// <summary>ETH_P_ARP.</summary>
    public const ushort EtherTypeArp = 0x0806;

    /// <summary>ARPOP_REQUEST.</summary>
    public const ushort OperationRequest = 1;

    /// <summary>ARPOP_REPLY.</summary>
    public const ushort OperationReply = 2;

    private const int EthernetHeaderLength = 14;
    private const ushort HardwareTypeEthernet = 1;
    private const ushort EtherTypeIPv4 = 0x0800;

    /// <summary>
    /// Writes a gratuitous ARP request: Ethernet to ff:ff:ff:ff:ff:ff, op 1, sender = target = <paramref name="vip"/>,
    /// target MAC 00:00:00:00:00:00. Neighbors that hold an entry for the VIP move it to <paramref name="mac"/>.
    /// </summary>
    /// <returns>The frame length, <see cref="FrameLength"/>.</returns>
    public static int WriteGratuitousRequest(Span<byte> destination, PhysicalAddress mac, IPAddress vip) =>
        Write(destination, OperationRequest, MacAddress.From(mac), ToUInt32(vip), MacAddress.Zero);

    /// <summary>
    /// Writes a gratuitous ARP reply: Ethernet to ff:ff:ff:ff:ff:ff, op 2, sender = target = <paramref name="vip"/>,
    /// target MAC = sender MAC (with ff:ff:ff:ff:ff:ff there, Linux neighbors ignore it within their 1 s locktime).
    /// </summary>
    /// <returns>The frame length, <see cref="FrameLength"/>.</returns>
    public static int WriteGratuitousReply(Span<byte> destination, PhysicalAddress mac, IPAddress vip)
    {
        var sender = MacAddress.From(mac);
        return Write(destination, OperationReply, sender, ToUInt32(vip), sender);
    }

    /// <summary>The allocation-free core of both writers.</summary>
    internal static int Write(Span<byte> destination, ushort operation, MacAddress sender, uint vip, MacAddress targetMac)
    {
        if (destination.Length < FrameLength)
        {
            throw new ArgumentException($"An ARP frame needs {FrameLength} bytes.", nameof(destination));
        }

        var frame = destination[..FrameLength];
        MacAddress.Broadcast.Write(frame);
        sender.Write(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], EtherTypeArp);
        var arp = frame[EthernetHeaderLength..];
        BinaryPrimitives.WriteUInt16BigEndian(arp, HardwareTypeEthernet);
        BinaryPrimitives.WriteUInt16BigEndian(arp[2..], EtherTypeIPv4);
        arp[4] = MacAddress.Length;
        arp[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(arp[6..], operation);
        sender.Write(arp[8..]);
        BinaryPrimitives.WriteUInt32BigEndian(arp[14..], vip);
        targetMac.Write(arp[18..]);
        BinaryPrimitives.WriteUInt32BigEndian(arp[24..], vip);
        return FrameLength;
    }

    /// <summary>
    /// Parses an Ethernet frame carrying Ethernet/IPv4 ARP (request or reply). Never throws; trailing padding
    /// is ignored.
    /// </summary>
    public static FrameDropReason TryParse(ReadOnlySpan<byte> frame, out ArpPacket packet)
    {
        packet = default;
        if (frame.Length < FrameLength)
        {
            return FrameDropReason.TooShort;
        }

        if (BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != EtherTypeArp)
        {
            return FrameDropReason.WrongEtherType;
        }

        var arp = frame[EthernetHeaderLength..];
        if (BinaryPrimitives.ReadUInt16BigEndian(arp) != HardwareTypeEthernet
            || BinaryPrimitives.ReadUInt16BigEndian(arp[2..]) != EtherTypeIPv4
            || arp[4] != MacAddress.Length
            || arp[5] != 4)
        {
            return FrameDropReason.UnsupportedArp;
        }

        var operation = BinaryPrimitives.ReadUInt16BigEndian(arp[6..]);
        if (operation is not (OperationRequest or OperationReply))
        {
            return FrameDropReason.UnsupportedArpOperation;
        }

        packet = new ArpPacket(
            operation,
            MacAddress.Read(frame[6..]),
            MacAddress.Read(arp[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(arp[14..]),
            MacAddress.Read(arp[18..]),
            BinaryPrimitives.ReadUInt32BigEndian(arp[24..]));
        return FrameDropReason.None;
    }

    /// <summary>An IPv4 address as a big-endian read of its bytes; throws for IPv6.</summary>
    internal static uint ToUInt32(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"{address} is not an IPv4 address.", nameof(address));
        }

        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }
}
