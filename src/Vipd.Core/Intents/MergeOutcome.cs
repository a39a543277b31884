namespace Vipd.Core.Intents;

/// <summary>What merging a peer's entry did.</summary>
internal enum MergeOutcome
{
    /// <summary>Newer than ours: taken.</summary>
    Accepted,

    /// <summary>Not newer than ours: ignored.</summary>
    Stale,

    /// <summary>Malformed or breaking a rule: dropped and counted.</summary>
    Invalid,
}
