namespace Vipd.Core.Wire;

/// <summary>Sizes and limits of the gossip wire format (version 2).</summary>
public static class WireFormat
{
    /// <summary>
    /// The version byte every datagram starts with. 2: the sealed plaintext starts with the sender's name and boot id
    /// and the recipient's id (<see cref="Crypto.DatagramProtector"/>).
    /// </summary>
    public const byte Version = 2;

    /// <summary>The version byte of vipd 0.1.0 (no sender or recipient in the sealed data): refused, logged, counted.</summary>
    public const byte LegacyVersion = 1;

    /// <summary>Largest datagram sent or accepted: below a 1500-byte Ethernet MTU with IPv6 and UDP headers.</summary>
    public const int MaxDatagramSize = 1400;

    /// <summary>Longest node name in bytes.</summary>
    public const int MaxNameBytes = 128;

    /// <summary>
    /// A name on the wire (node, VIP, interface, intent source): 1..<see cref="MaxNameBytes"/> printable ASCII
    /// characters, '!' to '~' (no space, control character, escape sequence or non-ASCII), so a peer's name can be
    /// logged and shown as is. Every name the config accepts passes.
    /// </summary>
    public static bool IsValidName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > MaxNameBytes)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c is < '!' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary><see cref="IsValidName(string)"/> on the encoded bytes.</summary>
    internal static bool IsValidName(ReadOnlySpan<byte> name)
    {
        if (name.Length is 0 or > MaxNameBytes)
        {
            return false;
        }

        foreach (var b in name)
        {
            if (b is < (byte)'!' or > (byte)'~')
            {
                return false;
            }
        }

        return true;
    }

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
