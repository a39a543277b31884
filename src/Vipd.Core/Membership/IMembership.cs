namespace Vipd.Core.Membership;

/// <summary>
/// The view of the cluster that the election runs on. Implemented by the SWIM membership; tests substitute a
/// scripted view. All members are synchronous and thread-safe.
/// </summary>
public interface IMembership
{
    /// <summary>The local node's name.</summary>
    string LocalName { get; }

    /// <summary>A snapshot of every known member, this node included.</summary>
    IReadOnlyList<Member> Members { get; }

    /// <summary>
    /// Raised after a member joins, changes state or publishes new metadata (this node's own updates included),
    /// outside the membership's lock, on the thread that processed the datagram or timer.
    /// </summary>
    event Action<Member>? Changed;

    /// <summary>Replaces this node's metadata and disseminates it at once (piggybacked and pushed to a few peers).</summary>
    void UpdateMetadata(ReadOnlyMemory<byte> metadata);
}
