using Vipd.Core.Intents;

namespace Vipd.State;

/// <summary>What loading <c>intents.json</c> found.</summary>
/// <param name="Snapshot">What to load into the store: empty when the file is missing or was corrupt.</param>
/// <param name="Error">Why the file could not be read (it was moved aside), or null.</param>
/// <param name="MovedTo">Where a corrupt file was moved, or null.</param>
/// <param name="Skipped">Entries left out because they broke a rule (the rest was loaded).</param>
public sealed record IntentFileLoad(IntentSnapshot Snapshot, string? Error, string? MovedTo, int Skipped);
