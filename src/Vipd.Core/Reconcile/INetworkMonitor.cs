using System.Net;

namespace Vipd.Core.Reconcile;

/// <summary>Reports link and address changes as the kernel makes them (rtnetlink multicast groups on Linux).</summary>
public interface INetworkMonitor : IDisposable
{
    /// <summary>Starts reporting; <paramref name="onChange"/> runs on a background thread, one call at a time.</summary>
    void Start(Action<NetworkChange> onChange);
}

/// <summary>One link or address change.</summary>
/// <param name="Kind">What changed.</param>
/// <param name="InterfaceIndex">The interface it happened on.</param>
/// <param name="Address">The address, for address changes.</param>
/// <param name="PrefixLength">The prefix length, for address changes.</param>
/// <param name="LinkUp">For link changes: the link's state after the change.</param>
public readonly record struct NetworkChange(
    NetworkChangeKind Kind,
    int InterfaceIndex,
    IPAddress? Address = null,
    int PrefixLength = 0,
    bool LinkUp = false);

/// <summary>The kind of a <see cref="NetworkChange"/>.</summary>
public enum NetworkChangeKind
{
    LinkChanged = 1,
    LinkRemoved = 2,
    AddressAdded = 3,
    AddressRemoved = 4,
}
