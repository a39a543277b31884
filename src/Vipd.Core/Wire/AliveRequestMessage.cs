namespace Vipd.Core.Wire;

/// <summary>Asks <paramref name="Target"/> to send its current alive (with metadata) back to the sender.</summary>
internal sealed record AliveRequestMessage(string Target) : WireMessage
{
    public override MessageType Type => MessageType.AliveRequest;
}
