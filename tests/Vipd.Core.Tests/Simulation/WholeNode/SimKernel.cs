using System.Net;
using System.Net.NetworkInformation;
using Vipd.Core.Reconcile;

namespace Vipd.Core.Tests.Simulation.WholeNode;

/// <summary>One host's kernel: a single link <c>eth0</c> with its own MAC, and its address table.</summary>
internal sealed class SimKernel(int host) : IAddressManager
{
    public const int LinkIndex = 2;

    private readonly List<InterfaceAddress> _addresses = [];
    private readonly HashSet<AddressHold> _holds = [];

    public PhysicalAddress Mac { get; } = PhysicalAddress.Parse($"02-00-5E-00-00-{host:X2}");

    public bool LinkUp { get; set; } = true;

    public LinkInfo Link => new(LinkIndex, "eth0", Mac, LinkUp, 1500);

    public bool Has(IPAddress address) => _addresses.Exists(a => a.Address.Equals(address));

    /// <summary>True while a released BGP VIP's traffic is still accepted here (the announcer's hold).</summary>
    public bool Holds(IPAddress address) => _holds.Any(h => h.Address.Equals(address));

    public LinkInfo? FindLink(string name) => name == "eth0" ? Link : null;

    public IReadOnlyList<LinkInfo> ListLinks() => [Link];

    public IReadOnlyList<InterfaceAddress> ListAddresses() => [.. _addresses];

    public bool Add(int interfaceIndex, IPAddress address, int prefixLength)
    {
        if (interfaceIndex != LinkIndex)
        {
            throw new InvalidOperationException($"no interface {interfaceIndex}");
        }

        if (Has(address))
        {
            return false;
        }

        _addresses.Add(new InterfaceAddress(interfaceIndex, address, prefixLength, AddressFlags.Permanent, AddedByVipd: true));
        return true;
    }

    public bool Remove(int interfaceIndex, IPAddress address, int prefixLength) => _addresses.RemoveAll(a => a.Address.Equals(address)) > 0;

    public IReadOnlyList<AddressChangeResult> Apply(IReadOnlyList<AddressChange> changes)
    {
        var results = new List<AddressChangeResult>(changes.Count);
        foreach (var change in changes)
        {
            var done = change.Kind == AddressChangeKind.Add
                ? Add(change.InterfaceIndex, change.Address, change.PrefixLength)
                : Remove(change.InterfaceIndex, change.Address, change.PrefixLength);
            results.Add(new AddressChangeResult(change, done ? AddressOutcome.Applied : AddressOutcome.AlreadyDone, null));
        }

        return results;
    }

    public bool AddHold(AddressHold hold) => _holds.Add(hold);

    public bool RemoveHold(AddressHold hold) => _holds.Remove(hold);

    public IReadOnlyList<AddressHold> ListHolds() => [.. _holds];
}
