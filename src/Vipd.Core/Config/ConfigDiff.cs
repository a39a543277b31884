namespace Vipd.Core.Config;

/// <summary>
/// What a reload changes: VIPs and checks added, removed or changed (by name), and whether the sections that need
/// a restart changed. Unchanged VIPs keep their owner: a reload never re-runs an election for them.
/// </summary>
public sealed record ConfigDiff
{
    public required EquatableArray<string> VipsAdded { get; init; }

    public required EquatableArray<string> VipsRemoved { get; init; }

    public required EquatableArray<string> VipsChanged { get; init; }

    public required EquatableArray<string> ChecksAdded { get; init; }

    public required EquatableArray<string> ChecksRemoved { get; init; }

    public required EquatableArray<string> ChecksChanged { get; init; }

    /// <summary>[node], [cluster] or [api] changed: these take effect only after a restart.</summary>
    public required EquatableArray<string> RestartRequired { get; init; }

    /// <summary>[logging] or [metrics] changed.</summary>
    public required bool LoggingOrMetricsChanged { get; init; }

    /// <summary>[bgp] changed (applied live: vipd re-renders its FRR objects).</summary>
    public bool BgpChanged { get; init; }

    /// <summary>True when old and new are equal.</summary>
    public bool IsEmpty => VipsAdded.IsEmpty && VipsRemoved.IsEmpty && VipsChanged.IsEmpty && ChecksAdded.IsEmpty
        && ChecksRemoved.IsEmpty && ChecksChanged.IsEmpty && RestartRequired.IsEmpty && !LoggingOrMetricsChanged && !BgpChanged;

    /// <summary>Compares two configs.</summary>
    public static ConfigDiff Compute(VipdConfig previous, VipdConfig next)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        var (vipsAdded, vipsRemoved, vipsChanged) = Compare(previous.Vips, next.Vips, v => v.Name);
        var (checksAdded, checksRemoved, checksChanged) = Compare(previous.Checks, next.Checks, c => c.Name);
        var restart = new List<string>();
        if (previous.Node != next.Node)
        {
            restart.Add("node");
        }

        if (previous.Cluster != next.Cluster)
        {
            restart.Add("cluster");
        }

        if (previous.Api != next.Api)
        {
            restart.Add("api");
        }

        return new ConfigDiff
        {
            VipsAdded = vipsAdded,
            VipsRemoved = vipsRemoved,
            VipsChanged = vipsChanged,
            ChecksAdded = checksAdded,
            ChecksRemoved = checksRemoved,
            ChecksChanged = checksChanged,
            RestartRequired = new(restart),
            LoggingOrMetricsChanged = previous.Logging != next.Logging || previous.Metrics != next.Metrics,
            BgpChanged = previous.Bgp != next.Bgp,
        };
    }

    private static (EquatableArray<string> Added, EquatableArray<string> Removed, EquatableArray<string> Changed) Compare<T>(
        EquatableArray<T> previous, EquatableArray<T> next, Func<T, string> name)
        where T : IEquatable<T>
    {
        var old = previous.ToDictionary(name, StringComparer.Ordinal);
        var current = next.ToDictionary(name, StringComparer.Ordinal);
        var added = next.Select(name).Where(n => !old.ContainsKey(n));
        var removed = previous.Select(name).Where(n => !current.ContainsKey(n));
        var changed = next.Where(x => old.TryGetValue(name(x), out var o) && !o.Equals(x)).Select(name);
        return (new(added), new(removed), new(changed));
    }
}
