namespace Vipd.Core.Wire;

/// <summary>
/// Anti-entropy: a part of the sender's full member table. A full state spans several datagrams; each part is
/// merged on its own, so parts need no reassembly. A non-reply is answered with the receiver's own state.
/// </summary>
/// <param name="IsReply">This is an answer: do not answer it.</param>
/// <param name="IsJoin">Sent by a joining node (logged; the answer is the same).</param>
/// <param name="Entries">Member states in this part.</param>
internal sealed record PushPullMessage(bool IsReply, bool IsJoin, IReadOnlyList<PushPullEntry> Entries) : WireMessage
{
    /// <summary>Not the first part of a full state: the receiver answers only the first part.</summary>
    public bool IsContinuation { get; init; }

    public override MessageType Type => MessageType.PushPull;
}
