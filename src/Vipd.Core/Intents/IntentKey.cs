namespace Vipd.Core.Intents;

/// <summary>Identifies one replicated entry: a source's VIP set or a VIP's preference.</summary>
internal readonly record struct IntentKey(IntentKind Kind, string Name) : IComparable<IntentKey>
{
    public int CompareTo(IntentKey other)
    {
        var byKind = Kind.CompareTo(other.Kind);
        return byKind != 0 ? byKind : string.CompareOrdinal(Name, other.Name);
    }
}
