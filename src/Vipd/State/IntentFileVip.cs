namespace Vipd.State;

/// <summary>One dynamic VIP in <c>intents.json</c>, with the API's field meanings.</summary>
internal sealed class IntentFileVip
{
    public string Name { get; set; } = string.Empty;

    /// <summary>CIDR, such as "192.0.2.200/24".</summary>
    public string Address { get; set; } = string.Empty;

    public string? Interface { get; set; }

    public List<string> AllowedNodes { get; set; } = [];

    public bool Preempt { get; set; } = true;

    public long PreemptDelayMs { get; set; }

    public uint Priority { get; set; }

    public Dictionary<string, uint> Priorities { get; set; } = [];
}
