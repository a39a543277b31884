namespace Vipd.Core.Wire;

/// <summary>A direct probe: the target answers with <see cref="AckMessage"/> carrying the same sequence number.</summary>
/// <param name="Sequence">Matches the ack to the probe.</param>
/// <param name="Target">The node name the sender means to probe; a different receiver drops it.</param>
/// <param name="Source">The sender's node name.</param>
/// <param name="SourceIncarnation">
/// The sender's incarnation: a receiver that knows an older one (it missed a gossiped alive, such as new metadata)
/// asks for the current alive; one that holds the sender dead tells it, so it refutes at once.
/// </param>
internal sealed record PingMessage(uint Sequence, string Target, string Source, uint SourceIncarnation = 0) : WireMessage
{
    public override MessageType Type => MessageType.Ping;
}
