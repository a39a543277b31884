namespace Vipd.State;

/// <summary>The JSON shape of <c>intents.json</c> (format 1). Only ever add optional properties.</summary>
internal sealed class IntentFileDocument
{
    /// <summary>The file format; a file with another value is not read (moved aside).</summary>
    public int Format { get; set; }

    /// <summary>The store's Lamport clock.</summary>
    public ulong Clock { get; set; }

    public List<IntentFileSource> Sources { get; set; } = [];

    public List<IntentFilePreference> Preferences { get; set; } = [];
}
