using Vipd.Core.Intents;

namespace Vipd.Core.Tests.Intents;

/// <summary>Compares two snapshots by content (records holding lists compare by reference otherwise).</summary>
internal sealed class SnapshotComparer : IEqualityComparer<IntentSnapshot>
{
    public static SnapshotComparer Instance { get; } = new();

    public bool Equals(IntentSnapshot? x, IntentSnapshot? y) => x is not null && y is not null && Describe(x) == Describe(y);

    public int GetHashCode(IntentSnapshot obj) => Describe(obj).GetHashCode(StringComparison.Ordinal);

    /// <summary>A canonical text of the replicated content (clock excluded: it may differ between equal states).</summary>
    public static string Describe(IntentSnapshot s) =>
        string.Join("\n", s.Sources.Select(x => $"S {x.Source} {x.Version} {x.DeletedAt is not null} " + string.Join(",", x.Vips.Select(v => v.ToString()))))
        + "\n" + string.Join("\n", s.Preferences.Select(p => $"P {p.Vip} {p.Node} {p.Version} {p.ClearedAt is not null}"));
}
