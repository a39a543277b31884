namespace Vipd.Core.Election;

/// <summary>One node as the election sees it for one VIP, built from the membership view and the node's record.</summary>
/// <param name="Name">The node name.</param>
/// <param name="Live">Alive or suspect in the view.</param>
/// <param name="Maintenance">Put in maintenance by the operator.</param>
/// <param name="Draining">Handing over before a stop.</param>
/// <param name="Eligible">Its own eligibility bit for this VIP (checks pass, interface up); false without a record.</param>
/// <param name="Priority">Its priority for this VIP: higher wins.</param>
/// <param name="Holding">It claims the VIP (has it bound and announced).</param>
/// <param name="EligibleSince">Since when this node has observed it continuously eligible; null: long enough for any preempt delay.</param>
/// <param name="Epoch">With <paramref name="Holding"/>: the takeover epoch of its claim (<see cref="NodeVipEntry.Epoch"/>).</param>
public sealed record ElectionCandidate(
    string Name,
    bool Live,
    bool Maintenance,
    bool Draining,
    bool Eligible,
    int Priority,
    bool Holding,
    DateTimeOffset? EligibleSince,
    uint Epoch = 0);
