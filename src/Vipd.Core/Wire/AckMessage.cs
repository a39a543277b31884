namespace Vipd.Core.Wire;

/// <summary>Answers a ping (or relays the answer of an indirect one).</summary>
internal sealed record AckMessage(uint Sequence) : WireMessage
{
    public override MessageType Type => MessageType.Ack;
}
