namespace Vipd.Core.Tests.Simulation;

/// <summary>
/// The quorum invariant both cluster simulations check: since when each node is in a minority, and whether one still
/// holds VIPs after the bound. A node's view may count unreachable nodes as live for one detection window after it
/// last heard them, so the clock restarts whenever reachability grows (partition, heal, start); a crash or a stop
/// only shrinks what anyone can reach.
/// </summary>
internal sealed class MinorityTracker
{
    private readonly Dictionary<string, TimeSpan> _since = new(StringComparer.Ordinal);

    public void Forget(string node) => _since.Remove(node);

    public void Update(IEnumerable<(string Name, bool InMinority)> nodes, TimeSpan now, bool reachabilityMayGrow)
    {
        foreach (var (name, inMinority) in nodes)
        {
            if (!inMinority)
            {
                _since.Remove(name);
            }
            else if (reachabilityMayGrow)
            {
                _since[name] = now;
            }
            else
            {
                _since.TryAdd(name, now);
            }
        }
    }

    /// <summary>The first node that still holds VIPs longer than <paramref name="bound"/> into a minority, described; or null.</summary>
    public string? FindViolation(TimeSpan now, TimeSpan bound, Func<string, IReadOnlyCollection<string>> heldBy)
    {
        foreach (var (name, since) in _since)
        {
            var held = heldBy(name);
            if (now - since > bound && held.Count > 0)
            {
                return $"t={now.TotalSeconds:0.000}s: {name} holds [{string.Join(",", held)}] in a minority since {since.TotalSeconds:0.000}s";
            }
        }

        return null;
    }
}
