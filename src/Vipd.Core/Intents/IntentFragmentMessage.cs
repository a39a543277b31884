namespace Vipd.Core.Intents;

/// <summary>Bytes [Offset, Offset + Chunk.Length) of one entry's encoded value of <paramref name="TotalLength"/> bytes.</summary>
/// <param name="Key">Which entry.</param>
/// <param name="Version">Its version: fragments of different versions never mix.</param>
/// <param name="DeletedAt">Set for a tombstone (whose value is empty: one fragment with no chunk).</param>
/// <param name="TotalLength">The whole value's length.</param>
/// <param name="Offset">Where this chunk starts.</param>
/// <param name="Chunk">The bytes.</param>
internal sealed record IntentFragmentMessage(IntentKey Key, IntentVersion Version, DateTimeOffset? DeletedAt, int TotalLength, int Offset, ReadOnlyMemory<byte> Chunk)
    : IntentMessage
{
    public override IntentMessageKind Kind => IntentMessageKind.Fragment;
}
