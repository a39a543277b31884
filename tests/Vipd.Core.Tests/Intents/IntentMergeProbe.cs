using Vipd.Core.Intents;

namespace Vipd.Core.Tests.Intents;

/// <summary>Merges a peer's entry into a store directly (what the replicator does with a reassembled entry).</summary>
internal static class IntentMergeProbe
{
    public const string Invalid = nameof(MergeOutcome.Invalid);

    public static string MergeNewPreference(IntentStore store, string vip) =>
        store.Merge(new IntentKey(IntentKind.Preference, vip), new IntentVersion(1, "peer"), null, IntentCodec.EncodeNode("n9")).ToString();

    /// <summary>A peer's Move preference for <paramref name="vip"/> with the given counter.</summary>
    public static string MergePreference(IntentStore store, string vip, ulong counter) =>
        store.Merge(new IntentKey(IntentKind.Preference, vip), new IntentVersion(counter, "peer"), null, IntentCodec.EncodeNode("n9")).ToString();
}
