namespace Vipd.Core.Config;

/// <summary>How a VIP reaches clients (<c>[[vip]] mode</c>).</summary>
public enum VipMode
{
    /// <summary>Bound on a LAN interface and announced with gratuitous ARP / unsolicited NA (the default).</summary>
    L2,

    /// <summary>Added to <c>lo</c> as a /32 or /128 and advertised by FRR over BGP; no ARP/NA.</summary>
    Bgp,
}

/// <summary>Which nodes advertise a <c>mode = "bgp"</c> VIP (<c>[[vip]] policy</c>).</summary>
public enum BgpPolicy
{
    /// <summary>Only the elected owner advertises it, as in L2 mode (the default).</summary>
    ActiveStandby,

    /// <summary>Every eligible node advertises it: the routers spread flows over all of them (ECMP).</summary>
    ActiveActive,
}
