namespace Vipd.Core.Election;

/// <summary>Whether this node sees enough of the cluster to own anything.</summary>
/// <param name="Required">The <c>quorum</c> option: false means every node may always own VIPs.</param>
/// <param name="LiveNodes">Live nodes in this node's view, itself included.</param>
/// <param name="ExpectedNodes">The configured cluster size (this node and its peers).</param>
public readonly record struct QuorumState(bool Required, int LiveNodes, int ExpectedNodes)
{
    /// <summary>A quorum that is not required: never blocks.</summary>
    public static QuorumState Off => new(false, 0, 0);

    /// <summary>Live nodes needed: a strict majority of the expected nodes.</summary>
    public int Needed => (ExpectedNodes / 2) + 1;

    /// <summary>True when not required, or when a strict majority of the expected nodes is live.</summary>
    public bool HasQuorum => !Required || LiveNodes >= Needed;
}
