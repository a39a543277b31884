namespace Vipd.Core.Wire;

/// <summary>
/// Bytes <paramref name="Offset"/>.. of <paramref name="Owner"/>'s large metadata (<paramref name="Total"/> bytes in
/// all, hashing to <paramref name="Hash"/>). A node that predates this type skips the frame.
/// </summary>
internal sealed record MetadataFragmentMessage(string Owner, ulong Hash, int Total, int Offset, ReadOnlyMemory<byte> Chunk) : WireMessage
{
    public override MessageType Type => MessageType.MetadataFragment;
}
