namespace Vipd.State;

/// <summary>One source (or source tombstone) in <c>intents.json</c>.</summary>
internal sealed class IntentFileSource
{
    public string Source { get; set; } = string.Empty;

    public ulong Counter { get; set; }

    public string Origin { get; set; } = string.Empty;

    /// <summary>Set for a tombstone (the source's VIPs were all removed).</summary>
    public DateTimeOffset? DeletedAt { get; set; }

    public List<IntentFileVip> Vips { get; set; } = [];
}
