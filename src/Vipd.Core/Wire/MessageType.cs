namespace Vipd.Core.Wire;

/// <summary>The type byte in front of each message frame. Wire value: append-only, never renumber.</summary>
internal enum MessageType : byte
{
    Ping = 1,
    IndirectPing = 2,
    Ack = 3,
    Nack = 4,
    Alive = 5,
    Suspect = 6,
    Dead = 7,
    PushPull = 8,
    AliveRequest = 9,
    User = 10,

    /// <summary>"Send me member X's metadata whose hash is H" (a reference seen, body not yet resolved).</summary>
    MetadataRequest = 11,

    /// <summary>A part of a member's large metadata: owner, hash, total length, offset, bytes.</summary>
    MetadataFragment = 12,
}
