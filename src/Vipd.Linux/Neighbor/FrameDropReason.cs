namespace Vipd.Linux.Neighbor;

/// <summary>Why a received frame was not accepted as an ARP packet or a Neighbor Advertisement. Append only.</summary>
internal enum FrameDropReason
{
    /// <summary>Accepted.</summary>
    None = 0,

    /// <summary>Shorter than the headers it claims to carry.</summary>
    TooShort = 1,

    /// <summary>The EtherType is not the expected one (ARP or IPv6).</summary>
    WrongEtherType = 2,

    /// <summary>ARP for a hardware type, protocol or address length other than Ethernet/IPv4.</summary>
    UnsupportedArp = 3,

    /// <summary>An ARP operation other than request (1) or reply (2).</summary>
    UnsupportedArpOperation = 4,

    /// <summary>Not IPv6 version 6, or the next header is not ICMPv6 (extension headers are not followed).</summary>
    NotIcmpv6 = 5,

    /// <summary>ICMPv6 but not a Neighbor Advertisement with code 0.</summary>
    NotNeighborAdvertisement = 6,

    /// <summary>A Neighbor Advertisement whose hop limit is not 255 (RFC 4861 7.1.2: did not come from the link).</summary>
    BadHopLimit = 7,

    /// <summary>The ICMPv6 checksum does not match.</summary>
    BadChecksum = 8,

    /// <summary>An option with length 0 or running past the end of the packet.</summary>
    BadOption = 9,

    /// <summary>The IPv6 payload length disagrees with the frame.</summary>
    BadLength = 10,
}
