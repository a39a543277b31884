using Vipd.Core.Cluster;
using Vipd.Core.Election;

namespace Vipd.Core.Tests.Simulation;

/// <summary>
/// The invariant both cluster simulations check once the network is healed and quiet for a detection window: every
/// up node agrees on each owner; exactly one node holds a VIP when an eligible node exists (and it is that eligible
/// owner), none otherwise; none without a quorum.
/// </summary>
internal static class ConvergenceInvariant
{
    /// <summary>Null when it holds, otherwise what is wrong.</summary>
    public static string? Check<TNode>(
        IReadOnlyList<TNode> up,
        IEnumerable<VipSpec> vips,
        QuorumState quorum,
        Func<TNode, string> name,
        Func<TNode, ClusterNode> cluster,
        Func<TNode, VipSpec, bool> isEligible,
        Func<string, IEnumerable<TNode>> holdersOf)
    {
        foreach (var vip in vips)
        {
            var owners = up.Select(n => cluster(n).Explain(vip.Name).Owner).Distinct().ToList();
            var holders = holdersOf(vip.Name).Select(name).ToList();
            var eligible = up.Where(n => isEligible(n, vip)).Select(name).ToList();
            var expectOne = eligible.Count > 0 && quorum.HasQuorum;
            if (owners.Count > 1)
            {
                return $"{vip.Name}: views disagree on the owner: {string.Join(", ", owners.Select(o => o ?? "none"))}";
            }

            if (expectOne && (holders.Count != 1 || !eligible.Contains(holders[0]) || holders[0] != owners[0]))
            {
                return $"{vip.Name}: expected one eligible holder among [{string.Join(", ", eligible)}], owner {owners[0] ?? "none"}, holders [{string.Join(", ", holders)}]";
            }

            if (!expectOne && holders.Count != 0)
            {
                return $"{vip.Name}: expected no holder (eligible [{string.Join(", ", eligible)}], quorum {quorum.HasQuorum}), holders [{string.Join(", ", holders)}]";
            }
        }

        return null;
    }
}
