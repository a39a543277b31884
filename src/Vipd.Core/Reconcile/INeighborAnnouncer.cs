using System.Net;

namespace Vipd.Core.Reconcile;

/// <summary>Tells the Layer 2 network where an address lives now.</summary>
public interface INeighborAnnouncer
{
    /// <summary>
    /// Sends one announcement round from <paramref name="link"/>: for IPv4 a gratuitous ARP request and a reply
    /// whose target MAC is the sender MAC; for IPv6 an unsolicited Neighbor Advertisement to ff02::1 (Override set,
    /// Solicited clear, Router set when the interface forwards). Throws on a kernel error.
    /// </summary>
    void Announce(LinkInfo link, IPAddress address);
}
