using System.Net;

namespace Vipd.Core.Reconcile;

/// <summary>An address on an interface, as listed by netlink.</summary>
/// <param name="InterfaceIndex">The kernel's interface index.</param>
/// <param name="Address">The address.</param>
/// <param name="PrefixLength">The prefix length.</param>
/// <param name="Flags">Kernel address state that matters to vipd.</param>
/// <param name="AddedByVipd">True when vipd added it (marked with vipd's address protocol); only these are ever removed.</param>
public readonly record struct InterfaceAddress(
    int InterfaceIndex,
    IPAddress Address,
    int PrefixLength,
    AddressFlags Flags,
    bool AddedByVipd);

/// <summary>Kernel address flags that matter to vipd (a subset of IFA_F_*).</summary>
[Flags]
public enum AddressFlags
{
    None = 0,
    /// <summary>IPv6 duplicate address detection still running (IFA_F_TENTATIVE).</summary>
    Tentative = 1,
    /// <summary>IPv6 duplicate address detection failed (IFA_F_DADFAILED): the address must be re-added.</summary>
    DadFailed = 2,
    /// <summary>Added without duplicate address detection (IFA_F_NODAD).</summary>
    NoDad = 4,
    /// <summary>Not from autoconfiguration (IFA_F_PERMANENT).</summary>
    Permanent = 8,
    /// <summary>Not preferred as a source address (IFA_F_DEPRECATED).</summary>
    Deprecated = 16,
}
