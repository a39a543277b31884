namespace Vipd.Core.Cluster;

/// <summary>Cluster-wide election options.</summary>
/// <param name="Quorum">True: hold VIPs only while a strict majority of <paramref name="ExpectedNodes"/> is live in this node's view.</param>
/// <param name="ExpectedNodes">The configured cluster size: this node plus its configured peers.</param>
/// <param name="HandoverTimeout">How long a node keeps a VIP it no longer owns while waiting for the successor to claim it (make-before-break).</param>
public sealed record ClusterOptions(bool Quorum, int ExpectedNodes, TimeSpan HandoverTimeout)
{
    /// <summary>
    /// After start, and after regaining a lost quorum, this node takes no VIP until it has seen every expected node
    /// live or this much time has passed,
    /// so that a rebooting node learns the current claims before electing (with preempt off it would otherwise grab
    /// VIPs in its empty view and then keep them as their best-ranked claimant). Zero disables it.
    /// </summary>
    public TimeSpan StartupGrace { get; init; } = DefaultStartupGrace;

    /// <summary>
    /// In a planned handover (this node draining), how long it keeps answering for a VIP after the successor claimed
    /// it: the successor claims right after its first announcement, and a client's packets already in flight to this
    /// node, or sent before that announcement reached it, still get an answer. Zero releases at once.
    /// </summary>
    public TimeSpan HandoverLinger { get; init; } = DefaultHandoverLinger;

    /// <summary>
    /// How long this node holds off claiming a VIP it has just learnt (added by a reload or the API after start) while
    /// some live peer does not know it yet (its VIP set digest differs): the rightful owner may be a peer that has not
    /// heard of the VIP, and claiming it here first would only hand it over a moment later. Zero claims at once.
    /// </summary>
    public TimeSpan NewVipGrace { get; init; } = DefaultNewVipGrace;

    /// <summary>Default new-VIP hold-off: far above the replication of a new VIP (milliseconds), short for a human.</summary>
    public static readonly TimeSpan DefaultNewVipGrace = TimeSpan.FromSeconds(2);

    /// <summary>Default linger: two announcement intervals of the default burst (3 × 50 ms), so the client has had two.</summary>
    public static readonly TimeSpan DefaultHandoverLinger = TimeSpan.FromMilliseconds(100);

    /// <summary>Default startup grace: a few gossip rounds, enough to hear every peer once after a join.</summary>
    public static readonly TimeSpan DefaultStartupGrace = TimeSpan.FromSeconds(2);

    /// <summary>Default handover wait: several gossip round trips on a LAN, short enough for a systemd stop timeout.</summary>
    public static readonly TimeSpan DefaultHandoverTimeout = TimeSpan.FromSeconds(5);
}
