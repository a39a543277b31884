namespace Vipd.Core.Intents;

/// <summary>Part of the sender's (key, version) list, sorted by key.</summary>
/// <param name="WantsDigest">The receiver answers with its own digest (set on the first part of an answer to a summary).</param>
/// <param name="Entries">Keys and versions in this part.</param>
internal sealed record IntentDigestMessage(bool WantsDigest, IReadOnlyList<(IntentKey Key, IntentVersion Version)> Entries) : IntentMessage
{
    public override IntentMessageKind Kind => IntentMessageKind.Digest;
}
