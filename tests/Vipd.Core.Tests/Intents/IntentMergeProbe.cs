using Vipd.Core.Intents;

namespace Vipd.Core.Tests.Intents;

/// <summary>Merges a peer's entry into a store directly (what the replicator does with a reassembled entry).</summary>
internal static class IntentMergeProbe
{
    public const string Invalid = nameof(MergeOutcome.Invalid);

    public static string MergeNewPreference(IntentStore store, string vip) =>
        store.Merge(new IntentKey(IntentKind.Preference, vip), new IntentVersion(ulong.MaxValue / 2, "peer"), null, IntentCodec.EncodeNode("n9")).ToString();
}
