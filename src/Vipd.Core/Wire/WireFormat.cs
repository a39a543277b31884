namespace Vipd.Core.Wire;

/// <summary>Sizes and limits of the gossip wire format (version 1).</summary>
public static class WireFormat
{
    /// <summary>The version byte every datagram starts with.</summary>
    public const byte Version = 1;

    /// <summary>Largest datagram sent or accepted: below a 1500-byte Ethernet MTU with IPv6 and UDP headers.</summary>
    public const int MaxDatagramSize = 1400;

    /// <summary>Longest node name in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 128;

    /// <summary>Largest member metadata carried inline in alive and push/pull messages, in bytes.</summary>
    public const int MaxMetadataBytes = 512;

    /// <summary>
    /// Largest member metadata in bytes: above <see cref="MaxMetadataBytes"/> it is announced inline by a reference
    /// (<see cref="Membership.MetadataReference"/>) and travels in metadata fragments.
    /// </summary>
    public const int MaxLargeMetadataBytes = 256 * 1024;

    /// <summary>Type byte and 16-bit body length in front of each message.</summary>
    internal const int FrameHeaderSize = 3;
}
