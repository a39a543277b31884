namespace Vipd.Core.Wire;

/// <summary>A direct probe: the target answers with <see cref="AckMessage"/> carrying the same sequence number.</summary>
/// <param name="Sequence">Matches the ack to the probe.</param>
/// <param name="Target">The node name the sender means to probe; a different receiver drops it.</param>
/// <param name="Source">The sender's node name.</param>
internal sealed record PingMessage(uint Sequence, string Target, string Source) : WireMessage
{
    public override MessageType Type => MessageType.Ping;
}
