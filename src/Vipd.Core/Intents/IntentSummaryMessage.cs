namespace Vipd.Core.Intents;

/// <summary>The sender's digest hash and entry count; a receiver whose own differ answers with its digest.</summary>
internal sealed record IntentSummaryMessage(ulong Hash, uint Count) : IntentMessage
{
    public override IntentMessageKind Kind => IntentMessageKind.Summary;
}
