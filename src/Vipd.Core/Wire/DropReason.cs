namespace Vipd.Core.Wire;

/// <summary>Why an incoming datagram (or one message in it) was dropped. Counted, never thrown. Append-only.</summary>
public enum DropReason
{
    /// <summary>Not dropped: decoded and accepted.</summary>
    None = 0,

    /// <summary>Shorter than its header, tag or a length field says.</summary>
    Truncated = 1,

    /// <summary>Longer than the maximum datagram size.</summary>
    Oversized = 2,

    /// <summary>The version byte is one this build does not speak.</summary>
    UnknownVersion = 3,

    /// <summary>Sealed under a key id that is not in the keyring.</summary>
    UnknownKey = 4,

    /// <summary>AES-GCM authentication failed: tampered, or sealed under another key with a colliding id.</summary>
    NotAuthenticated = 5,

    /// <summary>A nonce counter already seen from this sender (or too old for the replay window).</summary>
    Replayed = 6,

    /// <summary>Authenticated but not well formed: bad lengths, bad UTF-8, bad enum value, trailing bytes.</summary>
    Malformed = 7,

    /// <summary>Only message types this build does not know.</summary>
    UnknownMessageType = 8,

    /// <summary>A ping addressed to another node name (an address reused by another node).</summary>
    WrongTarget = 9,

    /// <summary>Arrived before the node started, or after it left or was disposed.</summary>
    Stopped = 10,

    /// <summary>Processing failed with an exception (a bug): logged at Error, the node carries on.</summary>
    InternalError = 11,

    /// <summary>A metadata fragment or request that does not fit: unknown owner, over the size or memory budget, a body whose hash does not match.</summary>
    BadMetadata = 12,

    /// <summary>A vipd 0.1.0 datagram (format 1: no authenticated sender or recipient); logged once per source address.</summary>
    LegacyVersion = 13,

    /// <summary>Sealed for another node (the recipient id in the sealed header is not this node's), or addressed to anyone but carrying more than a join.</summary>
    WrongRecipient = 14,

    /// <summary>From an older boot of a sender whose newer boot spoke recently (a recording replayed after a restart).</summary>
    StaleBoot = 15,

    /// <summary>A message that needs a reply or a known member (ping, request, user message) from a sender that is not in the member table.</summary>
    UnknownSender = 16,

    /// <summary>An ack or nack for a sequence this node never sent, or from a member that was not asked.</summary>
    UnexpectedAck = 17,

    /// <summary>A new member beyond <see cref="Membership.MembershipOptions.MaxMembers"/>.</summary>
    MemberTableFull = 18,

    /// <summary>A name outside the wire charset (<see cref="WireFormat.IsValidName(string)"/>).</summary>
    BadName = 19,

    /// <summary>An incarnation beyond this node's clock plus <see cref="Membership.MembershipOptions.MaxIncarnationLead"/>: it could wrap.</summary>
    IncarnationOutOfRange = 20,
}
