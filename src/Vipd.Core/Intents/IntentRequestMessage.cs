namespace Vipd.Core.Intents;

/// <summary>Asks the receiver to send the entries it holds for these keys.</summary>
internal sealed record IntentRequestMessage(IReadOnlyList<IntentKey> Keys) : IntentMessage
{
    public override IntentMessageKind Kind => IntentMessageKind.Request;
}
