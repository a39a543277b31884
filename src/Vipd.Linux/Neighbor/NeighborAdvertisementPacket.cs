using System.Buffers.Binary;
using System.Net;

namespace Vipd.Linux.Neighbor;

/// <summary>A Neighbor Advertisement as received in an Ethernet frame.</summary>
/// <param name="EthernetSource">The Ethernet header's source address.</param>
/// <param name="Source">The IPv6 source address, big-endian.</param>
/// <param name="Destination">The IPv6 destination address, big-endian.</param>
/// <param name="Target">The advertised target address, big-endian.</param>
/// <param name="Router">The R flag.</param>
/// <param name="Solicited">The S flag.</param>
/// <param name="Override">The O flag.</param>
/// <param name="TargetLinkLayer">The target link-layer address option, when the packet has one.</param>
internal readonly record struct NeighborAdvertisementPacket(
    MacAddress EthernetSource,
    UInt128 Source,
    UInt128 Destination,
    UInt128 Target,
    bool Router,
    bool Solicited,
    bool Override,
    MacAddress? TargetLinkLayer)
{
    /// <summary>The target as an <see cref="IPAddress"/> (allocates).</summary>
    public IPAddress TargetAddress => NeighborAdvertisement.ToAddress(Target);

    /// <summary>The MAC this advertisement claims the target for: the option when present, else the Ethernet source.</summary>
    public MacAddress ClaimedMac => TargetLinkLayer ?? EthernetSource;

    /// <summary>Reads 16 bytes as a big-endian <see cref="UInt128"/>.</summary>
    internal static UInt128 ReadAddress(ReadOnlySpan<byte> source) => BinaryPrimitives.ReadUInt128BigEndian(source);
}
