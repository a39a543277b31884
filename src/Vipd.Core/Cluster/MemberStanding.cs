namespace Vipd.Core.Cluster;

/// <summary>What one member gossips about itself, as this node decodes it.</summary>
/// <param name="Node">The member's name.</param>
/// <param name="Maintenance">In maintenance: eligible for nothing.</param>
/// <param name="Draining">Draining: handing its VIPs over, eligible for nothing.</param>
/// <param name="Vips">Its entries for the VIPs this node knows, in this node's VIP order.</param>
public sealed record MemberStanding(string Node, bool Maintenance, bool Draining, IReadOnlyList<VipStanding> Vips);
