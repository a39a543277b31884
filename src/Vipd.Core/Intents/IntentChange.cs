namespace Vipd.Core.Intents;

/// <summary>
/// One change of the replicated intents, raised by <see cref="IntentStore.Changed"/> after a local call or a merge of
/// a peer's newer state. Lists sorted by name.
/// </summary>
/// <param name="Kind">A source's VIP set or a VIP's preference.</param>
/// <param name="Source">For <see cref="IntentChangeKind.DynamicVips"/>: the source; otherwise null.</param>
/// <param name="Applied">VIPs added to or changed in the source.</param>
/// <param name="Removed">VIPs removed from the source.</param>
/// <param name="Vip">For <see cref="IntentChangeKind.Preference"/>: the VIP; otherwise null.</param>
/// <param name="PreviousNode">For a preference: the node preferred before, or null.</param>
/// <param name="Node">For a preference: the node preferred now, or null (cleared).</param>
/// <param name="Version">The version now in force.</param>
/// <param name="Local">True when the change was made through this node (the API), false when learned from a peer.</param>
public sealed record IntentChange(
    IntentChangeKind Kind,
    string? Source,
    IReadOnlyList<string> Applied,
    IReadOnlyList<string> Removed,
    string? Vip,
    string? PreviousNode,
    string? Node,
    IntentVersion Version,
    bool Local)
{
    /// <summary>The node where the change was made (the version's origin).</summary>
    public string OriginNode => Version.Origin;
}
