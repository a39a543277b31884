using System.Net;
using System.Net.NetworkInformation;

namespace Vipd.Core.Reconcile;

/// <summary>
/// Listens for other hosts claiming addresses this node holds: ARP packets whose sender IP is a held address,
/// or Neighbor Advertisements whose target is one, carrying a MAC that is not ours.
/// </summary>
public interface IConflictMonitor : IDisposable
{
    /// <summary>Replaces the set of held addresses to watch.</summary>
    void Watch(IReadOnlyCollection<HeldAddress> held);

    /// <summary>Starts listening; <paramref name="onConflict"/> runs on a background thread.</summary>
    void Start(Action<AddressConflict> onConflict);
}

/// <summary>An address this node holds, on a link.</summary>
public readonly record struct HeldAddress(LinkInfo Link, IPAddress Address);

/// <summary>Another host claimed an address this node holds.</summary>
/// <param name="Address">The address.</param>
/// <param name="InterfaceIndex">The interface the claim arrived on.</param>
/// <param name="ForeignMac">The other host's MAC.</param>
/// <param name="Kind">What carried the claim.</param>
public sealed record AddressConflict(IPAddress Address, int InterfaceIndex, PhysicalAddress ForeignMac, ConflictKind Kind);

/// <summary>What carried a conflicting claim.</summary>
public enum ConflictKind
{
    ArpReply = 1,
    ArpRequest = 2,
    NeighborAdvertisement = 3,
}
