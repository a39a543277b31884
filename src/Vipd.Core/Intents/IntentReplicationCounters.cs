namespace Vipd.Core.Intents;

/// <summary>What the intent replication sent, received, merged and dropped. Thread-safe; counts only grow.</summary>
public sealed class IntentReplicationCounters
{
    private long _messagesSent;
    private long _bytesSent;
    private long _messagesReceived;
    private long _bytesReceived;
    private long _entriesAccepted;
    private long _malformed;
    private long _invalid;
    private long _oversized;
    private long _evicted;

    /// <summary>Replication messages sent (each one gossip datagram).</summary>
    public long MessagesSent => Interlocked.Read(ref _messagesSent);

    /// <summary>Payload bytes sent (before sealing).</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public long MessagesReceived => Interlocked.Read(ref _messagesReceived);

    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Peers' entries newer than ours, merged.</summary>
    public long EntriesAccepted => Interlocked.Read(ref _entriesAccepted);

    /// <summary>Messages not in the format (truncated, bad lengths, bad names, unknown kinds): dropped.</summary>
    public long Malformed => Interlocked.Read(ref _malformed);

    /// <summary>Reassembled entries that broke a rule (bad VIP, non-canonical encoding, inconsistent fragments): dropped.</summary>
    public long Invalid => Interlocked.Read(ref _invalid);

    /// <summary>Fragments announcing a value larger than <see cref="IntentOptions.MaxEntryBytes"/>: dropped.</summary>
    public long Oversized => Interlocked.Read(ref _oversized);

    /// <summary>Partial entries dropped for the reassembly bounds or their timeout.</summary>
    public long Evicted => Interlocked.Read(ref _evicted);

    /// <summary>All drops.</summary>
    public long Dropped => Malformed + Invalid + Oversized;

    internal void RecordSent(int bytes)
    {
        Interlocked.Increment(ref _messagesSent);
        Interlocked.Add(ref _bytesSent, bytes);
    }

    internal void RecordReceived(int bytes)
    {
        Interlocked.Increment(ref _messagesReceived);
        Interlocked.Add(ref _bytesReceived, bytes);
    }

    internal void RecordAccepted() => Interlocked.Increment(ref _entriesAccepted);

    internal void RecordMalformed() => Interlocked.Increment(ref _malformed);

    internal void RecordInvalid() => Interlocked.Increment(ref _invalid);

    internal void RecordOversized() => Interlocked.Increment(ref _oversized);

    internal void RecordEvicted() => Interlocked.Increment(ref _evicted);
}
