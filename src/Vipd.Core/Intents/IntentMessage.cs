namespace Vipd.Core.Intents;

/// <summary>One decoded intent replication message (the payload of a gossip user message).</summary>
internal abstract record IntentMessage
{
    public abstract IntentMessageKind Kind { get; }
}
