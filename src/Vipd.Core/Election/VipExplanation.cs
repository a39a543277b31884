namespace Vipd.Core.Election;

/// <summary>The outcome of one VIP's election and why.</summary>
/// <param name="Vip">The VIP name.</param>
/// <param name="Owner">The elected owner, or null (nobody eligible, or no quorum).</param>
/// <param name="Summary">One line: who owns it and why, e.g. "n2 owns it: rank 1" or "no owner: no quorum (1 of 3 live, 2 needed)".</param>
/// <param name="Candidates">Eligible nodes in rank order, then the others by name.</param>
/// <param name="ReconsiderAt">When a waiting better-ranked node's preempt delay ends, if one does: elect again then.</param>
public sealed record VipExplanation(
    string Vip,
    string? Owner,
    string Summary,
    IReadOnlyList<CandidateVerdict> Candidates,
    DateTimeOffset? ReconsiderAt);
