namespace Vipd.Core.Cluster;

/// <summary>Cluster-wide election options.</summary>
/// <param name="Quorum">True: hold VIPs only while a strict majority of <paramref name="ExpectedNodes"/> is live in this node's view.</param>
/// <param name="ExpectedNodes">The configured cluster size: this node plus its configured peers.</param>
/// <param name="HandoverTimeout">How long a node keeps a VIP it no longer owns while waiting for the successor to claim it (make-before-break).</param>
public sealed record ClusterOptions(bool Quorum, int ExpectedNodes, TimeSpan HandoverTimeout)
{
    /// <summary>Default handover wait: several gossip round trips on a LAN, short enough for a systemd stop timeout.</summary>
    public static readonly TimeSpan DefaultHandoverTimeout = TimeSpan.FromSeconds(5);
}
