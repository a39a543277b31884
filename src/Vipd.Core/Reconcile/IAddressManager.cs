using System.Net;

namespace Vipd.Core.Reconcile;

/// <summary>
/// Reads and changes the addresses of this network namespace (rtnetlink on Linux). Only the announcer calls the
/// mutating members: it is the one place that touches addresses.
/// </summary>
public interface IAddressManager
{
    /// <summary>The interface of that name, or null when there is none.</summary>
    LinkInfo? FindLink(string name);

    /// <summary>All interfaces.</summary>
    IReadOnlyList<LinkInfo> ListLinks();

    /// <summary>All IPv4 and IPv6 addresses on all interfaces.</summary>
    IReadOnlyList<InterfaceAddress> ListAddresses();

    /// <summary>
    /// Adds the address, marked as vipd's; IPv6 with IFA_F_NODAD. Returns false when it was already there.
    /// Throws on any other kernel error.
    /// </summary>
    bool Add(int interfaceIndex, IPAddress address, int prefixLength);

    /// <summary>Removes the address. Returns false when it was not there. Throws on any other kernel error.</summary>
    bool Remove(int interfaceIndex, IPAddress address, int prefixLength);

    /// <summary>Applies many changes in batched kernel messages; never throws for one change's failure.</summary>
    IReadOnlyList<AddressChangeResult> Apply(IReadOnlyList<AddressChange> changes);

    /// <summary>
    /// Adds a hold (<see cref="AddressHold"/>): a local route for the address alone in table local, marked as vipd's.
    /// Returns false when it was already there. Throws on any other kernel error.
    /// </summary>
    bool AddHold(AddressHold hold);

    /// <summary>Removes a hold. Returns false when it was not there. Throws on any other kernel error.</summary>
    bool RemoveHold(AddressHold hold);

    /// <summary>Every hold vipd made (its local routes in table local), also those a crashed predecessor left.</summary>
    IReadOnlyList<AddressHold> ListHolds();
}
