namespace Vipd.Linux.Netlink;

/// <summary>Values of IFA_PROTO, the "address protocol" byte the kernel stores with each address (Linux 5.18+).</summary>
internal static class AddressProtocol
{
    /// <summary>vipd's mark ('v'): set on every address vipd adds, so it only ever removes its own.</summary>
    public const byte Vipd = 0x76;
}
