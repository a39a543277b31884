namespace Vipd.Core.Wire;

/// <summary>An indirect prober's "I asked, the target did not answer": proves the requester's own link works.</summary>
internal sealed record NackMessage(uint Sequence) : WireMessage
{
    public override MessageType Type => MessageType.Nack;
}
