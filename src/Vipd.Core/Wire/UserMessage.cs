namespace Vipd.Core.Wire;

/// <summary>
/// An opaque payload for a layer above the membership (the intent replication), delivered as is. The frame's body is
/// the payload; a node that predates this type skips the frame (and still takes any piggybacked gossip).
/// </summary>
internal sealed record UserMessage(ReadOnlyMemory<byte> Payload) : WireMessage
{
    public override MessageType Type => MessageType.User;
}
