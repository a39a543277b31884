namespace Vipd.Core.Election;

/// <summary>
/// What each node gossips about itself as its membership metadata (encoded by <see cref="NodeRecordCodec"/>).
/// VIPs are named by their 32-bit id (<see cref="StableHash.VipId"/>); a VIP absent from <see cref="Vips"/> is
/// neither eligible nor held. Two configured VIP names with the same id are a configuration error: the
/// <see cref="Cluster.ClusterNode"/> elects neither of them (every node with the same config agrees) and logs it.
/// </summary>
/// <param name="Version">Increases with every publication by the node (wraps); informational, the membership's incarnation orders updates.</param>
/// <param name="Maintenance">Put in maintenance by the operator: not eligible for any VIP.</param>
/// <param name="Draining">Handing over before a stop: not eligible for any VIP, still holding until successors claim.</param>
/// <param name="Vips">Entries sorted by <see cref="NodeVipEntry.VipId"/>, ids unique (the codec enforces it).</param>
public sealed record NodeRecord(uint Version, bool Maintenance, bool Draining, IReadOnlyList<NodeVipEntry> Vips)
{
    /// <summary>The empty record of a node that published nothing yet.</summary>
    public static NodeRecord Empty { get; } = new(0, false, false, []);

    /// <summary>Finds the entry for <paramref name="vipId"/> (binary search: <see cref="Vips"/> is sorted).</summary>
    public bool TryGet(uint vipId, out NodeVipEntry entry)
    {
        int lo = 0, hi = Vips.Count - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var id = Vips[mid].VipId;
            if (id == vipId)
            {
                entry = Vips[mid];
                return true;
            }

            if (id < vipId)
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
