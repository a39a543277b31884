namespace Vipd.Core.Intents;

/// <summary>What an apply did to a source's set; each list sorted by name.</summary>
/// <param name="Added">VIPs new to the source.</param>
/// <param name="Changed">VIPs the source had, now with other settings.</param>
/// <param name="Unchanged">VIPs the source had with the same settings.</param>
/// <param name="Removed">With replace: the source's VIPs not in the request.</param>
/// <param name="Version">The source's version after the apply (unchanged when nothing changed).</param>
public sealed record ApplyResult(
    IReadOnlyList<string> Added,
    IReadOnlyList<string> Changed,
    IReadOnlyList<string> Unchanged,
    IReadOnlyList<string> Removed,
    IntentVersion Version);
