namespace Vipd.Core.Intents;

/// <summary>What a remove did; each list sorted by name.</summary>
/// <param name="Removed">VIPs removed from the source.</param>
/// <param name="NotFound">Requested names the source did not have.</param>
/// <param name="Version">The source's version after the remove (unchanged when nothing was removed).</param>
public sealed record RemoveResult(IReadOnlyList<string> Removed, IReadOnlyList<string> NotFound, IntentVersion Version);
