namespace Vipd.Core.Intents;

/// <summary>Limits and timings of the intent store and its replication, each default with its reason.</summary>
public sealed record IntentOptions
{
    /// <summary>The defaults.</summary>
    public static IntentOptions Default { get; } = new();

    /// <summary>
    /// Default 7 days: a removed source or cleared preference is remembered this long, so a node that was down or
    /// partitioned for less cannot bring it back; a node away for longer may (last writer wins).
    /// </summary>
    public TimeSpan TombstoneLifetime { get; init; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Default 1 s: each node compares a 12-byte digest with one random live peer per interval (~60 bytes/s per
    /// node when idle); a missed update or a healed partition converges within a few intervals.
    /// </summary>
    public TimeSpan AntiEntropyInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Default 256 KiB: largest encoded source set (1024 VIPs take ~60 KiB); bounds what a peer can make us buffer.</summary>
    public int MaxEntryBytes { get; init; } = 256 * 1024;

    /// <summary>Default 1 MiB: all partially received entries together; beyond it the oldest is dropped.</summary>
    public int MaxReassemblyBytes { get; init; } = 1024 * 1024;

    /// <summary>Default 16: partially received entries at a time.</summary>
    public int MaxPartialEntries { get; init; } = 16;

    /// <summary>
    /// Default 4: partially received entries one sending address may have started. A peer beyond it loses its own
    /// oldest partial, never another peer's: one noisy or hostile key holder cannot push honest reassemblies out.
    /// </summary>
    public int MaxPartialEntriesPerSender { get; init; } = 4;

    /// <summary>Default 512 KiB (two of the largest entries): the bytes one sending address's partial entries may hold.</summary>
    public int MaxReassemblyBytesPerSender { get; init; } = 512 * 1024;

    /// <summary>Default 10 s: a partial entry not completed by then is dropped (the next anti-entropy round asks again).</summary>
    public TimeSpan PartialTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Default 64 datagrams: a local change is pushed to every live peer when that takes at most this many datagrams,
    /// otherwise (a large set in a large cluster) to as many random peers as fit (at least 3), so one change never
    /// bursts more than ~90 KB out of one socket; the receivers forward it on.
    /// </summary>
    public int PushBudget { get; init; } = 64;

    /// <summary>
    /// Default 2: a node that takes a newer entry from a peer forwards it to this many random live peers once
    /// (epidemic spread: every node is reached in O(log n) hops even where the first push was lost or limited).
    /// </summary>
    public int ForwardFanout { get; init; } = 2;

    /// <summary>
    /// Default 8192: entries held (sources and preferences, tombstones included); an apply or move that would add one
    /// more is refused, and a peer's new entry beyond it is dropped. Bounds memory and the digest.
    /// </summary>
    public int MaxEntries { get; init; } = 8192;

    /// <summary>Throws <see cref="ArgumentException"/> when a value is out of range.</summary>
    public void Validate()
    {
        Require(TombstoneLifetime > TimeSpan.Zero, nameof(TombstoneLifetime));
        Require(AntiEntropyInterval > TimeSpan.Zero, nameof(AntiEntropyInterval));
        Require(MaxEntryBytes >= 1024, nameof(MaxEntryBytes));
        Require(MaxReassemblyBytes >= MaxEntryBytes, nameof(MaxReassemblyBytes));
        Require(MaxPartialEntries >= 1, nameof(MaxPartialEntries));
        Require(MaxPartialEntriesPerSender >= 1 && MaxPartialEntriesPerSender <= MaxPartialEntries, nameof(MaxPartialEntriesPerSender));
        Require(MaxReassemblyBytesPerSender >= MaxEntryBytes && MaxReassemblyBytesPerSender <= MaxReassemblyBytes, nameof(MaxReassemblyBytesPerSender));
        Require(PartialTimeout > TimeSpan.Zero, nameof(PartialTimeout));
        Require(PushBudget >= 1, nameof(PushBudget));
        Require(MaxEntries >= 1, nameof(MaxEntries));
        Require(ForwardFanout >= 0, nameof(ForwardFanout));
    }

    private static void Require(bool condition, string name)
    {
        if (!condition)
        {
            throw new ArgumentException($"{name} is out of range.", name);
        }
    }
}
