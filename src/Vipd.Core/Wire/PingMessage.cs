namespace Vipd.Core.Wire;

/// <summary>
/// A direct probe: the target answers with <see cref="AckMessage"/> carrying the same sequence number. Whom it probes
/// and who sends it are the datagram's sealed recipient id and sender name (format 2), so the body repeats neither.
/// </summary>
/// <param name="Sequence">Matches the ack to the probe.</param>
/// <param name="SourceIncarnation">
/// The sender's incarnation: a receiver that knows an older one (it missed a gossiped alive, such as new metadata)
/// asks for the current alive; one that holds the sender dead tells it, so it refutes at once.
/// </param>
internal sealed record PingMessage(uint Sequence, uint SourceIncarnation = 0) : WireMessage
{
    public override MessageType Type => MessageType.Ping;
}
