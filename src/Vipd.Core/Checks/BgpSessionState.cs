namespace Vipd.Core.Checks;

/// <summary>
/// Whether this node's routing engine (FRR) has a BGP session with one of its <c>[[bgp.peer]]</c>s up: a node without
/// one can bind a BGP VIP but cannot advertise it, so it is not eligible for BGP VIPs. Read from FRR by the host,
/// gossiped in node records (format 3): append-only.
/// </summary>
public enum BgpSessionState : byte
{
    /// <summary>Not read yet (vipd has just started): not eligible.</summary>
    Unknown = 0,

    /// <summary>No session with any configured peer is Established (or FRR cannot be asked).</summary>
    Down = 1,

    /// <summary>At least one configured peer's session is Established.</summary>
    Established = 2,
}
