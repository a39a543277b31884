namespace Vipd.Core.Intents;

/// <summary>One source's replicated VIP set as persisted: a tombstone when <paramref name="DeletedAt"/> is set.</summary>
/// <param name="Source">The source name.</param>
/// <param name="Version">The version of this set.</param>
/// <param name="Vips">The VIPs, sorted by name; empty for a tombstone.</param>
/// <param name="DeletedAt">When the source's last VIP was removed; null while it has VIPs.</param>
public sealed record SourceIntent(string Source, IntentVersion Version, IReadOnlyList<DynamicVip> Vips, DateTimeOffset? DeletedAt);
