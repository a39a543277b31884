using System.Buffers.Binary;
using System.Net;

namespace Vipd.Linux.Neighbor;

/// <summary>An Ethernet/IPv4 ARP packet as received.</summary>
/// <param name="Operation">1 = request, 2 = reply.</param>
/// <param name="EthernetSource">The Ethernet header's source address.</param>
/// <param name="SenderMac">The ARP sender hardware address.</param>
/// <param name="SenderIp">The ARP sender protocol address, as a big-endian read of its four bytes.</param>
/// <param name="TargetMac">The ARP target hardware address.</param>
/// <param name="TargetIp">The ARP target protocol address, as a big-endian read of its four bytes.</param>
internal readonly record struct ArpPacket(
    ushort Operation,
    MacAddress EthernetSource,
    MacAddress SenderMac,
    uint SenderIp,
    MacAddress TargetMac,
    uint TargetIp)
{
    /// <summary>Whether sender IP equals target IP: a gratuitous ARP (announcement).</summary>
    public bool IsGratuitous => SenderIp == TargetIp;

    /// <summary>The sender IP as an <see cref="IPAddress"/> (allocates).</summary>
    public IPAddress SenderAddress => ToAddress(SenderIp);

    /// <summary>The target IP as an <see cref="IPAddress"/> (allocates).</summary>
    public IPAddress TargetAddress => ToAddress(TargetIp);

    private static IPAddress ToAddress(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }
}
