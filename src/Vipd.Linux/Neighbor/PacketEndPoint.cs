using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Vipd.Linux.Neighbor;

/// <summary>
/// <c>struct sockaddr_ll</c> (20 bytes) for AF_PACKET sockets from the BCL <see cref="Socket"/>: family (native),
/// protocol (big-endian EtherType), ifindex (native), hatype, pkttype, halen, addr[8].
/// </summary>
internal sealed class PacketEndPoint : EndPoint
{
    /// <summary>sizeof(struct sockaddr_ll).</summary>
    public const int Size = 20;

    /// <summary>PACKET_OUTGOING: a frame this host sent, looped back to packet sockets.</summary>
    public const byte PacketOutgoing = 4;

    private const int ProtocolOffset = 2;
    private const int IfIndexOffset = 4;
    private const int PacketTypeOffset = 10;
    private const int HardwareLengthOffset = 11;
    private const int AddressOffset = 12;

    public PacketEndPoint(ushort protocol, int interfaceIndex, MacAddress? hardwareAddress = null, byte packetType = 0)
    {
        Protocol = protocol;
        InterfaceIndex = interfaceIndex;
        HardwareAddress = hardwareAddress;
        PacketType = packetType;
    }

    public override AddressFamily AddressFamily => AddressFamily.Packet;

    /// <summary>The EtherType (host order); 0 on a socket that only sends.</summary>
    public ushort Protocol { get; }

    /// <summary>The interface index; 0 = every interface (bind only).</summary>
    public int InterfaceIndex { get; }

    /// <summary>The link-layer address (destination when sending, source when receiving).</summary>
    public MacAddress? HardwareAddress { get; }

    /// <summary>sll_pkttype: PACKET_HOST 0, BROADCAST 1, MULTICAST 2, OTHERHOST 3, OUTGOING 4.</summary>
    public byte PacketType { get; }

    /// <summary>Reads the interface index of a received <c>sockaddr_ll</c>.</summary>
    public static int ReadInterfaceIndex(SocketAddress address) =>
        MemoryMarshal.Read<int>(address.Buffer.Span[IfIndexOffset..]);

    /// <summary>Reads the packet type of a received <c>sockaddr_ll</c>.</summary>
    public static byte ReadPacketType(SocketAddress address) => address.Buffer.Span[PacketTypeOffset];

    public override SocketAddress Serialize()
    {
        var address = new SocketAddress(AddressFamily.Packet, Size);
        var span = address.Buffer.Span;
        BinaryPrimitives.WriteUInt16BigEndian(span[ProtocolOffset..], Protocol);
        MemoryMarshal.Write(span[IfIndexOffset..], InterfaceIndex);
        span[PacketTypeOffset] = PacketType;
        if (HardwareAddress is { } mac)
        {
            span[HardwareLengthOffset] = MacAddress.Length;
            mac.Write(span[AddressOffset..]);
        }

        return address;
    }

    public override EndPoint Create(SocketAddress socketAddress)
    {
        ArgumentNullException.ThrowIfNull(socketAddress);
        var span = socketAddress.Buffer.Span;
        if (socketAddress.Size < Size)
        {
            throw new ArgumentException($"A sockaddr_ll needs {Size} bytes, got {socketAddress.Size}.", nameof(socketAddress));
        }

        MacAddress? mac = span[HardwareLengthOffset] == MacAddress.Length ? MacAddress.Read(span[AddressOffset..]) : null;
        return new PacketEndPoint(
            BinaryPrimitives.ReadUInt16BigEndian(span[ProtocolOffset..]),
            MemoryMarshal.Read<int>(span[IfIndexOffset..]),
            mac,
            span[PacketTypeOffset]);
    }

    public override string ToString() => $"packet proto 0x{Protocol:x4} ifindex {InterfaceIndex}";
}
