namespace Vipd.Core.Election;

/// <summary>
/// What each node gossips about itself as its membership metadata (encoded by <see cref="NodeRecordCodec"/>). Two
/// shapes: an explicit record lists one entry for every VIP the node is eligible for or holds (a VIP absent from
/// <see cref="Vips"/> is neither eligible nor held); a <see cref="Lean"/> record lists only the VIPs it holds (its
/// claims, never truncated) and carries what its eligibility is derived from instead (<see cref="Verdicts"/>, read
/// through a <see cref="StandingModel"/> whose digest is <see cref="StandingDigest"/>), so its size does not grow
/// with the VIP count. VIPs are named by their <see cref="VipKey"/>. Two VIP names with the same key are refused where
/// VIPs are added and, should they meet anyway, the <see cref="Cluster.ClusterNode"/> elects neither and logs it.
/// </summary>
/// <param name="Version">Increases with every publication by the node (wraps); informational, the membership's incarnation orders updates.</param>
/// <param name="Maintenance">Put in maintenance by the operator: not eligible for any VIP.</param>
/// <param name="Draining">Handing over before a stop: not eligible for any VIP, still holding until successors claim.</param>
/// <param name="Vips">Entries sorted by <see cref="NodeVipEntry.Key"/>, keys unique (the codec enforces it).</param>
public sealed record NodeRecord(uint Version, bool Maintenance, bool Draining, IReadOnlyList<NodeVipEntry> Vips)
{
    /// <summary>The empty record of a node that published nothing yet.</summary>
    public static NodeRecord Empty { get; } = new(0, false, false, []);

    /// <summary>
    /// A digest of the VIPs the node elects over with their per-node settings (preempt, preempt delay, allowed nodes;
    /// see <see cref="Cluster.ClusterNode"/>): equal digests mean two nodes know the same VIPs alike. A node holds off
    /// claiming a VIP it has just learnt until every live peer's digest matches its own (bounded), so that only the
    /// rightful owner claims a new VIP; a lasting mismatch is a configuration disagreement and is reported.
    /// </summary>
    public ulong VipSetDigest { get; init; }

    /// <summary>
    /// A format 1 record from a vipd 0.1 node: keys are 32-bit <see cref="StableHash.VipId"/>s and it lists at most
    /// 84 VIPs. Such a node cannot read this version's records (it sees no claims of ours), so during a rolling
    /// upgrade the cluster node yields every VIP a legacy node claims (see ARCHITECTURE.md).
    /// </summary>
    public bool Legacy { get; init; }

    /// <summary>
    /// The <see cref="StandingModel.Digest"/> the node derives its own standing with; 0 when it has none (then the
    /// record is explicit). A peer whose model has the same digest derives the node's standing exactly.
    /// </summary>
    public ulong StandingDigest { get; init; }

    /// <summary>The node's check and link verdicts, sorted by kind then key (format 3; empty otherwise).</summary>
    public IReadOnlyList<NodeVerdict> Verdicts { get; init; } = [];

    /// <summary>
    /// True: <see cref="Vips"/> lists only the claims (Holding, with no eligibility or priority) and peers derive the
    /// node's standing from <see cref="Verdicts"/>. False: every VIP the node is eligible for or holds is listed.
    /// </summary>
    public bool Lean { get; init; }

    /// <summary>Finds the entry for <paramref name="key"/> (binary search: <see cref="Vips"/> is sorted).</summary>
    public bool TryGet(ulong key, out NodeVipEntry entry)
    {
        int lo = 0, hi = Vips.Count - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var current = Vips[mid].Key;
            if (current == key)
            {
                entry = Vips[mid];
                return true;
            }

            if (current < key)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        entry = default;
        return false;
    }
}
