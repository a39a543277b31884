namespace Vipd.Core.Election;

/// <summary>
/// One verdict a node gossips in its record (format 3) so that peers can derive its standing for every VIP
/// (<see cref="StandingModel"/>): a check's state, an interface's link state, keyed by a 32-bit hash of the check or
/// interface name (<see cref="StandingModel.NameKey"/>), or the state of its BGP sessions (key 4: IPv4, 6: IPv6).
/// </summary>
/// <param name="Kind">A check or a link.</param>
/// <param name="Key">The name's key.</param>
/// <param name="State">A check: <see cref="CheckNotRun"/>, <see cref="CheckFailing"/>, <see cref="CheckPassing"/> or
/// <see cref="CheckPassingWithValue"/>. A link: a <see cref="Checks.LinkState"/>. BGP: a <see cref="Checks.BgpSessionState"/>.
/// Unknown values read as not run / gone / unknown.</param>
/// <param name="Value">A passing file check's value; 0 otherwise.</param>
public readonly record struct NodeVerdict(NodeVerdictKind Kind, uint Key, byte State, int Value)
{
    /// <summary>The check has not run yet.</summary>
    public const byte CheckNotRun = 0;

    /// <summary>The check is failing.</summary>
    public const byte CheckFailing = 1;

    /// <summary>The check is passing.</summary>
    public const byte CheckPassing = 2;

    /// <summary>The check is passing and its file held <see cref="Value"/>.</summary>
    public const byte CheckPassingWithValue = 3;
}

/// <summary>What a <see cref="NodeVerdict"/> is about. Gossiped: append-only.</summary>
public enum NodeVerdictKind : byte
{
    /// <summary>A <c>[[check]]</c>.</summary>
    Check = 1,

    /// <summary>An interface a VIP is bound to.</summary>
    Link = 2,

    /// <summary>The node's BGP sessions of one address family (<see cref="Checks.BgpSessionState"/>, key 4 or 6); published while the model has a BGP VIP.</summary>
    Bgp = 3,
}
