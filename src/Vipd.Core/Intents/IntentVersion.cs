namespace Vipd.Core.Intents;

/// <summary>
/// The version of one replicated intent (a source's VIP set, or a VIP's Move preference): a hybrid logical clock
/// (Lamport counter lifted to the wall clock in Unix milliseconds), ties broken by the name of the node that wrote it,
/// so every node orders any two writes the same way (last writer wins).
/// </summary>
/// <param name="Counter">Above every counter the writing node had seen, and at least its wall clock in Unix ms.</param>
/// <param name="Origin">The node where the write was made.</param>
public readonly record struct IntentVersion(ulong Counter, string Origin) : IComparable<IntentVersion>
{
    /// <summary>Orders by counter, then by origin name (ordinal).</summary>
    public int CompareTo(IntentVersion other)
    {
        var byCounter = Counter.CompareTo(other.Counter);
        return byCounter != 0 ? byCounter : string.CompareOrdinal(Origin, other.Origin);
    }

    public static bool operator <(IntentVersion left, IntentVersion right) => left.CompareTo(right) < 0;

    public static bool operator >(IntentVersion left, IntentVersion right) => left.CompareTo(right) > 0;

    public static bool operator <=(IntentVersion left, IntentVersion right) => left.CompareTo(right) <= 0;

    public static bool operator >=(IntentVersion left, IntentVersion right) => left.CompareTo(right) >= 0;

    public override string ToString() => $"{Counter}@{Origin}";
}
