namespace Vipd.State;

/// <summary>One Move preference (or cleared one) in <c>intents.json</c>.</summary>
internal sealed class IntentFilePreference
{
    public string Vip { get; set; } = string.Empty;

    public string? Node { get; set; }

    public ulong Counter { get; set; }

    public string Origin { get; set; } = string.Empty;

    /// <summary>Set when the preference was cleared.</summary>
    public DateTimeOffset? ClearedAt { get; set; }
}
