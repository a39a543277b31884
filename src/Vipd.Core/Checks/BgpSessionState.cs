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

/// <summary>
/// This node's BGP sessions per address family: vipd activates each <c>[[bgp.peer]]</c> in its own address's family,
/// so an IPv4 VIP is advertised only over an IPv4 peer's session and an IPv6 VIP over an IPv6 peer's.
/// </summary>
/// <param name="IPv4">Sessions with the IPv4 peers.</param>
/// <param name="IPv6">Sessions with the IPv6 peers.</param>
public readonly record struct BgpSessions(BgpSessionState IPv4, BgpSessionState IPv6)
{
    /// <summary>Nothing read yet.</summary>
    public static BgpSessions Unknown => default;

    /// <summary>Both families Established (simulations and tests).</summary>
    public static BgpSessions Established => new(BgpSessionState.Established, BgpSessionState.Established);

    /// <summary>Both families down.</summary>
    public static BgpSessions Down => new(BgpSessionState.Down, BgpSessionState.Down);

    /// <summary>The sessions that can advertise <paramref name="vip"/>: those of its address family.</summary>
    public BgpSessionState For(Config.VipConfig vip)
    {
        ArgumentNullException.ThrowIfNull(vip);
        return vip.IsIPv6 ? IPv6 : IPv4;
    }

    public override string ToString() => $"IPv4 {IPv4}, IPv6 {IPv6}";
}
