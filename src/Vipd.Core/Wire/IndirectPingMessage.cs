using System.Net;

namespace Vipd.Core.Wire;

/// <summary>Asks the receiver to probe <paramref name="Target"/> and relay the ack (or a nack after its timeout).</summary>
/// <param name="Sequence">The requester's sequence number, echoed in the relayed ack or nack.</param>
/// <param name="Target">The node name to probe.</param>
/// <param name="TargetAddress">Where to probe it.</param>
/// <param name="WantNack">Send a nack when the target does not answer (Lifeguard local health awareness).</param>
internal sealed record IndirectPingMessage(uint Sequence, string Target, IPEndPoint TargetAddress, bool WantNack) : WireMessage
{
    public override MessageType Type => MessageType.IndirectPing;
}
