namespace Vipd.Core.Intents;

/// <summary>What kind of intent changed.</summary>
public enum IntentChangeKind
{
    /// <summary>A source's dynamic VIP set (applied, changed or removed VIPs).</summary>
    DynamicVips = 1,

    /// <summary>A VIP's Move preference (set, changed or cleared).</summary>
    Preference = 2,
}
