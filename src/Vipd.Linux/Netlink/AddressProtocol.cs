namespace Vipd.Linux.Netlink;

/// <summary>
/// Values of IFA_PROTO, the "address protocol" byte the kernel stores with each address (Linux 5.18+); vipd marks its
/// holds' routes with the same value as their route protocol (rtm_protocol, any kernel).
/// </summary>
internal static class AddressProtocol
{
    /// <summary>vipd's mark ('v'): set on every address vipd adds, so it only ever removes its own.</summary>
    public const byte Vipd = 0x76;

    /// <summary>
    /// The metric of vipd's holds (<see cref="Core.Reconcile.AddressHold"/>, local routes marked with protocol
    /// <see cref="Vipd"/>): the kernel's own local route for an address has metric 0, and two routes of one prefix in
    /// one table must differ in metric to coexist while the address is still there.
    /// </summary>
    public const uint HoldMetric = Vipd;
}
