namespace Vipd.Core.Election;

/// <summary>The election-relevant part of one configured VIP.</summary>
/// <param name="Name">The VIP's name, unique in the cluster config.</param>
/// <param name="Preempt">False: an eligible current holder keeps the VIP. True: a better-ranked node takes it over.</param>
/// <param name="PreemptDelay">With <paramref name="Preempt"/>: how long a better-ranked node must have been eligible before it takes over from an eligible holder.</param>
/// <param name="AllowedNodes">The nodes that may hold it; null: every node.</param>
public sealed record VipSpec(string Name, bool Preempt, TimeSpan PreemptDelay, IReadOnlyList<string>? AllowedNodes)
{
    /// <summary>
    /// The node an operator moved the VIP to (cluster-wide, replicated): while eligible it ranks first and owns the
    /// VIP at once, whatever the priorities, preempt setting or delay; when not eligible the normal ranking applies.
    /// Null: no preference.
    /// </summary>
    public string? PreferredNode { get; init; }
}
