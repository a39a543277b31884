namespace Vipd.Core.Intents;

/// <summary>What a replicated entry holds. Wire value: append-only, never renumber.</summary>
internal enum IntentKind : byte
{
    Source = 1,
    Preference = 2,
}
