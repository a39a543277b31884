namespace Vipd.Core.Intents;

/// <summary>Everything the store holds, tombstones included: what <c>intents.json</c> persists and a restart loads.</summary>
/// <param name="Clock">The Lamport clock, so a restarted node never reuses a counter.</param>
/// <param name="Sources">Every source (and source tombstone), sorted by name.</param>
/// <param name="Preferences">Every preference (and cleared one), sorted by VIP.</param>
public sealed record IntentSnapshot(ulong Clock, IReadOnlyList<SourceIntent> Sources, IReadOnlyList<PreferenceIntent> Preferences)
{
    /// <summary>Nothing applied yet.</summary>
    public static IntentSnapshot Empty { get; } = new(0, [], []);
}
