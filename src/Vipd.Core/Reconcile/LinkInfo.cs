using System.Net.NetworkInformation;

namespace Vipd.Core.Reconcile;

/// <summary>One network interface as the kernel reports it.</summary>
/// <param name="Index">The kernel's interface index.</param>
/// <param name="Name">The interface name, such as <c>eth0</c>.</param>
/// <param name="Mac">The hardware address (empty for interfaces that have none).</param>
/// <param name="IsUp">Administratively up and the lower layer running (IFF_UP and IFF_LOWER_UP).</param>
/// <param name="Mtu">The MTU in bytes.</param>
public sealed record LinkInfo(int Index, string Name, PhysicalAddress Mac, bool IsUp, int Mtu);
