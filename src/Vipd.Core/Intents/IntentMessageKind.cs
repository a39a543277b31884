namespace Vipd.Core.Intents;

/// <summary>The kind byte of an intent replication message. Wire value: append-only, never renumber.</summary>
internal enum IntentMessageKind : byte
{
    /// <summary>"My state hashes to H over N entries": the periodic anti-entropy probe.</summary>
    Summary = 1,

    /// <summary>Part of the sender's (key, version) list; the first part of an answer to a summary asks for ours back.</summary>
    Digest = 2,

    /// <summary>"Send me these entries."</summary>
    Request = 3,

    /// <summary>A part of one entry's value (an entry larger than a datagram spans several).</summary>
    Fragment = 4,
}
