namespace Vipd.Core.Cluster;

/// <summary>The elected owner of a VIP changed in this node's view.</summary>
/// <param name="Vip">The VIP name.</param>
/// <param name="From">The previous owner, or null.</param>
/// <param name="To">The new owner, or null (nobody eligible, or no quorum).</param>
/// <param name="Reason">Why, for logs and events, e.g. "n1: not eligible: dead".</param>
public sealed record OwnershipChange(string Vip, string? From, string? To, string Reason);
