using Vipd.Core.Cluster;
using Vipd.Core.Membership;

namespace Vipd.Core.Nodes;

/// <summary>Overrides of a <see cref="Node"/>'s timings, for simulations and tests; the daemon uses the config's.</summary>
/// <param name="Membership">The membership timings instead of the config's profile.</param>
/// <param name="Cluster">Adjusts the election options built from the config (startup grace, new-VIP grace, handover).</param>
public sealed record NodeTuning(MembershipOptions? Membership = null, Func<ClusterOptions, ClusterOptions>? Cluster = null);
