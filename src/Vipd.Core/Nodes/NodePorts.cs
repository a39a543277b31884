using Vipd.Core.Net;
using Vipd.Core.Reconcile;

namespace Vipd.Core.Nodes;

/// <summary>
/// Everything a <see cref="Node"/> does to the world goes through these: the daemon passes the Linux ones
/// (UDP socket, rtnetlink, raw sockets), a simulation passes a fake kernel and a simulated segment. The node owns
/// the monitors once constructed and disposes them.
/// </summary>
/// <param name="Transport">Sends gossip datagrams; received ones come in through <see cref="Node.OnDatagram"/>.</param>
/// <param name="Addresses">The kernel's links and addresses; only the announcer changes addresses.</param>
/// <param name="Neighbors">Sends gratuitous ARP / unsolicited NA.</param>
/// <param name="Monitor">Link and address changes; null for none (tests).</param>
/// <param name="Conflicts">Other hosts claiming held addresses; null for none.</param>
public sealed record NodePorts(
    ITransport Transport,
    IAddressManager Addresses,
    INeighborAnnouncer Neighbors,
    INetworkMonitor? Monitor,
    IConflictMonitor? Conflicts);
