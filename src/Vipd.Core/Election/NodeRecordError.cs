namespace Vipd.Core.Election;

/// <summary>Why a node record did not decode. Append-only.</summary>
public enum NodeRecordError
{
    /// <summary>Decoded.</summary>
    None = 0,

    /// <summary>No bytes (a member that published no record yet).</summary>
    Empty = 1,

    /// <summary>A format version this build does not know.</summary>
    UnknownVersion = 2,

    /// <summary>Shorter than its header or its entry count says.</summary>
    Truncated = 3,

    /// <summary>Longer than <see cref="NodeRecordCodec.MaxSize"/> or more entries than fit.</summary>
    TooLarge = 4,

    /// <summary>Bytes after the last entry.</summary>
    TrailingBytes = 5,

    /// <summary>VIP keys or verdicts not strictly ascending (duplicates or out of order).</summary>
    Unsorted = 6,

    /// <summary>An explicit record (format 3) claims a VIP it has no entry for.</summary>
    UnlistedClaim = 7,
}
