namespace Vipd.Core.Intents;

/// <summary>
/// One entry a node asks for: the whole entry, or, when it holds part of <paramref name="Version"/> already, only the
/// byte ranges it still misses.
/// </summary>
/// <param name="Key">The entry.</param>
/// <param name="Version">The version the ranges refer to; null: the whole entry, whatever version the peer holds.</param>
/// <param name="Ranges">Missing (offset, length) ranges of that version's value; empty: the whole entry.</param>
internal sealed record IntentWant(IntentKey Key, IntentVersion? Version, IReadOnlyList<(int Offset, int Length)> Ranges)
{
    /// <summary>Most ranges in one want (a partial with more gaps asks for the first ones; later rounds ask for the rest).</summary>
    public const int MaxRanges = 32;

    public static IntentWant Whole(IntentKey key) => new(key, null, []);
}
