namespace Vipd.Core.Intents;

/// <summary>Asks the receiver to send the entries (or the missing parts of them) it holds.</summary>
internal sealed record IntentRequestMessage(IReadOnlyList<IntentWant> Wants) : IntentMessage
{
    public override IntentMessageKind Kind => IntentMessageKind.Request;
}
