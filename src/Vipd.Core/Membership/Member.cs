using System.Net;

namespace Vipd.Core.Membership;

/// <summary>One member of the cluster as this node sees it (this node included).</summary>
/// <param name="Name">The node name, unique in the cluster.</param>
/// <param name="Address">Where its gossip is reached.</param>
/// <param name="State">Alive, suspect, dead or left.</param>
/// <param name="Incarnation">Its incarnation number: only the member itself raises it, to refute a suspicion or publish new metadata.</param>
/// <param name="Metadata">Its own opaque record (vipd puts the encoded node record here: eligibility, drain flag, claims).</param>
public sealed record Member(string Name, IPEndPoint Address, MemberState State, uint Incarnation, ReadOnlyMemory<byte> Metadata)
{
    /// <summary>True when the member counts as live for elections: alive or merely suspect.</summary>
    public bool IsLive => State is MemberState.Alive or MemberState.Suspect;
}
