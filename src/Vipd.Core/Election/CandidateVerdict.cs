namespace Vipd.Core.Election;

/// <summary>One line of an election's explanation.</summary>
/// <param name="Node">The node name.</param>
/// <param name="Rank">1 for the best-ranked eligible node; 0 when not eligible.</param>
/// <param name="Reason">Why, e.g. "rank 1: priority 200, eligible" or "not eligible: in maintenance".</param>
public sealed record CandidateVerdict(string Node, int Rank, string Reason);
