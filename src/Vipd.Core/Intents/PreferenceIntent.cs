namespace Vipd.Core.Intents;

/// <summary>One VIP's replicated Move preference as persisted: a tombstone when <paramref name="ClearedAt"/> is set.</summary>
/// <param name="Vip">The VIP name.</param>
/// <param name="Node">The preferred node; null when cleared.</param>
/// <param name="Version">The version of this preference.</param>
/// <param name="ClearedAt">When the preference was cleared; null while set.</param>
public sealed record PreferenceIntent(string Vip, string? Node, IntentVersion Version, DateTimeOffset? ClearedAt);
