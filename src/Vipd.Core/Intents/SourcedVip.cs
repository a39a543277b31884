namespace Vipd.Core.Intents;

/// <summary>A dynamic VIP in force, with the source that applied it.</summary>
public sealed record SourcedVip(string Source, DynamicVip Vip);
