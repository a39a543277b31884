using System.Globalization;

namespace Vipd.Core.Election;

/// <summary>
/// The election: a pure function of one node's view, so every node with the same view computes the same owner.
/// <list type="number">
/// <item>Eligible: live, not in maintenance, not draining, in the VIP's allowed nodes, its own ready bit set.</item>
/// <item>Rank: the node preferred by a Move first, then priority descending, then the rendezvous hash of (VIP, node)
/// descending, then name (total order).</item>
/// <item>Owner, with an eligible preferred node: that node, at once (a Move overrides stickiness and the preempt delay).</item>
/// <item>Owner, preempt off: the best-ranked eligible holder if any (stickiness), else rank 1.</item>
/// <item>Owner, preempt on: with no eligible holder rank 1; otherwise the best-ranked node that either holds it or
/// has been eligible for at least the preempt delay (so a holder is displaced only by a node that waited).</item>
/// <item>With quorum required and not met, no owner: a minority never answers for a VIP.</item>
/// </list>
/// "The holder" above is, of several eligible holders (views disagreed, a partition healed, a frozen node woke), the one
/// whose claim carries the highest takeover epoch (the latest takeover; equal epochs: the best-ranked): the epoch is
/// data in the claims, the same in every view, so every node picks the same holder and the others release. A stale
/// holder therefore yields to the node that took over from it, and keeps the VIP only where the rules above would
/// move it back anyway (preempt on and its preempt delay over).
/// </summary>
public static class VipElection
{
    /// <summary>
    /// Elects the owner of <paramref name="vip"/> without building the explanation (the hot path: every node runs it
    /// on every membership change). Same result as <see cref="Elect"/>.
    /// </summary>
    public static string? ElectOwner(VipSpec vip, IReadOnlyList<ElectionCandidate> candidates, DateTimeOffset now, QuorumState quorum, out DateTimeOffset? reconsiderAt)
    {
        ArgumentNullException.ThrowIfNull(vip);
        ArgumentNullException.ThrowIfNull(candidates);
        var ranked = Rank(vip, candidates, null);
        var ownerIndex = ChooseOwner(vip, ranked, now, out reconsiderAt);
        if (!quorum.HasQuorum)
        {
            reconsiderAt = null;
            return null;
        }

        return ownerIndex < 0 ? null : ranked[ownerIndex].Candidate.Name;
    }

    /// <summary>Elects the owner of <paramref name="vip"/> among <paramref name="candidates"/> and explains it.</summary>
    public static VipExplanation Elect(VipSpec vip, IReadOnlyList<ElectionCandidate> candidates, DateTimeOffset now, QuorumState quorum)
    {
        ArgumentNullException.ThrowIfNull(vip);
        ArgumentNullException.ThrowIfNull(candidates);

        var ineligible = new List<CandidateVerdict>();
        var ranked = Rank(vip, candidates, ineligible);
        ineligible.Sort(static (a, b) => string.CompareOrdinal(a.Node, b.Node));
        var ownerIndex = ChooseOwner(vip, ranked, now, out var reconsiderAt);

        var verdicts = new List<CandidateVerdict>(candidates.Count);
        for (var i = 0; i < ranked.Count; i++)
        {
            var c = ranked[i].Candidate;
            var text = string.Create(CultureInfo.InvariantCulture, $"rank {i + 1}: priority {c.Priority}, eligible");
            if (IsPreferred(vip, c))
            {
                text += ", preferred by move";
            }

            if (c.Holding)
            {
                text += string.Create(CultureInfo.InvariantCulture, $", holding (epoch {c.Epoch})");
            }

            if (i == ownerIndex && quorum.HasQuorum)
            {
                text += i == 0 ? "; owner" : vip.Preempt ? "; owner (better-ranked nodes wait for the preempt delay)" : "; owner (keeps it: preempt off)";
            }
            else if (vip.Preempt && i < ownerIndex && c.EligibleSince is { } since)
            {
                var left = since + vip.PreemptDelay - now;
                text += string.Create(CultureInfo.InvariantCulture, $"; preempts in {left.TotalSeconds:0.###} s");
            }

            verdicts.Add(new CandidateVerdict(c.Name, i + 1, text));
        }

        verdicts.AddRange(ineligible);

        string? owner = null;
        string summary;
        if (!quorum.HasQuorum)
        {
            summary = string.Create(CultureInfo.InvariantCulture,
                $"no owner: no quorum ({quorum.LiveNodes} of {quorum.ExpectedNodes} nodes live, {quorum.Needed} needed)");
            reconsiderAt = null;
        }
        else if (ownerIndex < 0)
        {
            summary = "no owner: no eligible node";
        }
        else
        {
            owner = ranked[ownerIndex].Candidate.Name;
            summary = string.Create(CultureInfo.InvariantCulture, $"{owner} owns it: rank {ownerIndex + 1}")
                + (ownerIndex == 0 && IsPreferred(vip, ranked[0].Candidate) ? " (preferred by move)"
                    : ownerIndex == 0 ? string.Empty : vip.Preempt ? ", holder until a better-ranked node's preempt delay ends" : ", holder (preempt off)");
        }

        return new VipExplanation(vip.Name, owner, summary, verdicts, reconsiderAt);
    }

    private static List<(ElectionCandidate Candidate, ulong Score)> Rank(VipSpec vip, IReadOnlyList<ElectionCandidate> candidates, List<CandidateVerdict>? ineligible)
    {
        var ranked = new List<(ElectionCandidate Candidate, ulong Score)>(candidates.Count);
        foreach (var candidate in candidates)
        {
            var reason = IneligibleReason(vip, candidate);
            if (reason is null)
            {
                ranked.Add((candidate, StableHash.Rendezvous(vip.Name, candidate.Name)));
            }
            else
            {
                var note = IsPreferred(vip, candidate) ? " (preferred by move; the normal ranking applies)" : string.Empty;
                ineligible?.Add(new CandidateVerdict(candidate.Name, 0, "not eligible: " + reason + note));
            }
        }

        ranked.Sort(static (a, b) => Compare(a.Candidate, a.Score, b.Candidate, b.Score));
        if (vip.PreferredNode is { } preferred)
        {
            var index = ranked.FindIndex(r => r.Candidate.Name == preferred);
            if (index > 0)
            {
                var entry = ranked[index];
                ranked.RemoveAt(index);
                ranked.Insert(0, entry);
            }
        }

        return ranked;
    }

    private static int ChooseOwner(VipSpec vip, List<(ElectionCandidate Candidate, ulong Score)> ranked, DateTimeOffset now, out DateTimeOffset? reconsiderAt)
    {
        reconsiderAt = null;
        if (ranked.Count == 0)
        {
            return -1;
        }

        var holderIndex = HolderIndex(ranked);
        if (holderIndex < 0 || IsPreferred(vip, ranked[0].Candidate))
        {
            return 0;
        }

        if (!vip.Preempt)
        {
            return holderIndex;
        }

        for (var i = 0; i < holderIndex; i++)
        {
            var since = ranked[i].Candidate.EligibleSince;
            var readyAt = since is null ? DateTimeOffset.MinValue : since.Value + vip.PreemptDelay;
            if (readyAt <= now)
            {
                return i;
            }

            reconsiderAt = reconsiderAt is null || readyAt < reconsiderAt ? readyAt : reconsiderAt;
        }

        return holderIndex;
    }

    /// <summary>The eligible holder with the highest takeover epoch (equal epochs: the best-ranked); -1 without one.</summary>
    private static int HolderIndex(List<(ElectionCandidate Candidate, ulong Score)> ranked)
    {
        var best = -1;
        for (var i = 0; i < ranked.Count; i++)
        {
            if (ranked[i].Candidate.Holding && (best < 0 || ranked[i].Candidate.Epoch > ranked[best].Candidate.Epoch))
            {
                best = i;
            }
        }

        return best;
    }

    private static bool IsPreferred(VipSpec vip, ElectionCandidate candidate) =>
        vip.PreferredNode is { } preferred && string.Equals(preferred, candidate.Name, StringComparison.Ordinal);

    /// <summary>Compares two eligible candidates: negative when <paramref name="a"/> ranks better.</summary>
    public static int Compare(ElectionCandidate a, ulong scoreA, ElectionCandidate b, ulong scoreB)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var byPriority = b.Priority.CompareTo(a.Priority);
        if (byPriority != 0)
        {
            return byPriority;
        }

        var byScore = scoreB.CompareTo(scoreA);
        return byScore != 0 ? byScore : string.CompareOrdinal(a.Name, b.Name);
    }

    /// <summary>Null when <paramref name="candidate"/> is eligible for <paramref name="vip"/>, else the reason it is not.</summary>
    public static string? IneligibleReason(VipSpec vip, ElectionCandidate candidate)
    {
        ArgumentNullException.ThrowIfNull(vip);
        ArgumentNullException.ThrowIfNull(candidate);
        if (!candidate.Live)
        {
            return "dead";
        }

        if (candidate.Maintenance)
        {
            return "in maintenance";
        }

        if (candidate.Draining)
        {
            return "draining";
        }

        if (vip.AllowedNodes is { } allowed && !allowed.Contains(candidate.Name, StringComparer.Ordinal))
        {
            return "not in allowed nodes";
        }

        return candidate.Eligible ? null : "not ready for this VIP";
    }
}
