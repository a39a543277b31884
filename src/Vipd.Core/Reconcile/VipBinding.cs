using System.Net;
using System.Net.Sockets;

namespace Vipd.Core.Reconcile;

/// <summary>A virtual IP address as it is bound to an interface: address, prefix length and interface name.</summary>
public readonly record struct VipBinding(IPAddress Address, int PrefixLength, string Interface)
{
    /// <summary>True for IPv6 addresses (announced with unsolicited NAs), false for IPv4 (gratuitous ARP).</summary>
    public bool IsIPv6 => Address.AddressFamily == AddressFamily.InterNetworkV6;

    public override string ToString() => $"{Address}/{PrefixLength}%{Interface}";
}
