using System.Net;
using System.Net.NetworkInformation;
using Vipd.Core.Reconcile;

namespace Vipd.Core.Tests.Reconcile;

/// <summary>An in-memory kernel: links and addresses, with failures to inject.</summary>
internal sealed class FakeAddressManager : IAddressManager
{
    private readonly Lock _lock = new();
    private readonly List<LinkInfo> _links = [];
    private readonly List<InterfaceAddress> _addresses = [];
    private readonly HashSet<AddressHold> _holds = [];

    public int ApplyCalls { get; private set; }

    public int ListCalls { get; private set; }

    public List<AddressChange> Applied { get; } = [];

    /// <summary>Returns an error text to make that change fail.</summary>
    public Func<AddressChange, string?>? Fail { get; set; }

    /// <summary>Thrown by Apply while set.</summary>
    public Exception? ApplyFailure { get; set; }

    /// <summary>Thrown by ListAddresses while set.</summary>
    public Exception? ListFailure { get; set; }

    public LinkInfo AddLink(int index, string name, bool up = true)
    {
        var link = new LinkInfo(index, name, PhysicalAddress.Parse($"02-00-00-00-00-{index:X2}"), up, 1500);
        lock (_lock)
        {
            _links.RemoveAll(l => l.Index == index);
            _links.Add(link);
        }

        return link;
    }

    public void RemoveLink(int index)
    {
        lock (_lock)
        {
            _links.RemoveAll(l => l.Index == index);
            _addresses.RemoveAll(a => a.InterfaceIndex == index);
        }
    }

    public void AddOperatorAddress(int index, IPAddress address, int prefixLength)
    {
        lock (_lock)
        {
            _addresses.Add(new InterfaceAddress(index, address, prefixLength, AddressFlags.Permanent, AddedByVipd: false));
        }
    }

    public void SetFlags(IPAddress address, AddressFlags flags)
    {
        lock (_lock)
        {
            for (var i = 0; i < _addresses.Count; i++)
            {
                if (_addresses[i].Address.Equals(address))
                {
                    _addresses[i] = _addresses[i] with { Flags = flags };
                }
            }
        }
    }

    /// <summary>Removes an address as `ip addr del` would.</summary>
    public bool DeleteByHand(IPAddress address)
    {
        lock (_lock)
        {
            return _addresses.RemoveAll(a => a.Address.Equals(address)) > 0;
        }
    }

    public bool Has(IPAddress address, bool addedByVipd = true)
    {
        lock (_lock)
        {
            return _addresses.Exists(a => a.Address.Equals(address) && a.AddedByVipd == addedByVipd);
        }
    }

    public LinkInfo? FindLink(string name)
    {
        lock (_lock)
        {
            return _links.Find(l => l.Name == name);
        }
    }

    public IReadOnlyList<LinkInfo> ListLinks()
    {
        lock (_lock)
        {
            return [.. _links];
        }
    }

    public IReadOnlyList<InterfaceAddress> ListAddresses()
    {
        lock (_lock)
        {
            ListCalls++;
            if (ListFailure is not null)
            {
                throw ListFailure;
            }

            return [.. _addresses];
        }
    }

    public bool Add(int interfaceIndex, IPAddress address, int prefixLength)
    {
        var result = Apply([new AddressChange(AddressChangeKind.Add, interfaceIndex, address, prefixLength)])[0];
        ApplyCalls--;
        return result.Outcome switch
        {
            AddressOutcome.Applied => true,
            AddressOutcome.AlreadyDone => false,
            _ => throw new InvalidOperationException(result.Error),
        };
    }

    public bool Remove(int interfaceIndex, IPAddress address, int prefixLength)
    {
        var result = Apply([new AddressChange(AddressChangeKind.Remove, interfaceIndex, address, prefixLength)])[0];
        ApplyCalls--;
        return result.Outcome switch
        {
            AddressOutcome.Applied => true,
            AddressOutcome.AlreadyDone => false,
            _ => throw new InvalidOperationException(result.Error),
        };
    }

    public IReadOnlyList<AddressChangeResult> Apply(IReadOnlyList<AddressChange> changes)
    {
        lock (_lock)
        {
            ApplyCalls++;
            if (ApplyFailure is not null)
            {
                throw ApplyFailure;
            }

            var results = new List<AddressChangeResult>(changes.Count);
            foreach (var change in changes)
            {
                var error = Fail?.Invoke(change);
                if (error is null && !_links.Exists(l => l.Index == change.InterfaceIndex))
                {
                    error = "ENODEV";
                }

                if (error is not null)
                {
                    results.Add(new AddressChangeResult(change, AddressOutcome.Failed, error));
                    continue;
                }

                Applied.Add(change);
                var index = _addresses.FindIndex(a => a.InterfaceIndex == change.InterfaceIndex && a.Address.Equals(change.Address)
                    && a.PrefixLength == change.PrefixLength);
                if (change.Kind == AddressChangeKind.Add)
                {
                    if (index >= 0)
                    {
                        results.Add(new AddressChangeResult(change, AddressOutcome.AlreadyDone, null));
                    }
                    else
                    {
                        _addresses.Add(new InterfaceAddress(change.InterfaceIndex, change.Address, change.PrefixLength, AddressFlags.Permanent | AddressFlags.NoDad, AddedByVipd: true));
                        results.Add(new AddressChangeResult(change, AddressOutcome.Applied, null));
                    }
                }
                else if (index >= 0)
                {
                    _addresses.RemoveAt(index);
                    results.Add(new AddressChangeResult(change, AddressOutcome.Applied, null));
                }
                else
                {
                    results.Add(new AddressChangeResult(change, AddressOutcome.AlreadyDone, null));
                }
            }

            return results;
        }
    }

    /// <summary>The holds in place (local routes keeping a withdrawn BGP VIP's traffic accepted).</summary>
    public IReadOnlyList<AddressHold> Holds
    {
        get
        {
            lock (_lock)
            {
                return [.. _holds];
            }
        }
    }

    /// <summary>Every hold change, in order: "+192.0.2.10" for an add, "-192.0.2.10" for a removal.</summary>
    public List<string> HoldChanges { get; } = [];

    /// <summary>Puts a hold in place as a crashed predecessor would have left it.</summary>
    public void AddLeftoverHold(AddressHold hold)
    {
        lock (_lock)
        {
            _holds.Add(hold);
        }
    }

    public bool AddHold(AddressHold hold)
    {
        lock (_lock)
        {
            HoldChanges.Add($"+{hold.Address}");
            return _holds.Add(hold);
        }
    }

    public bool RemoveHold(AddressHold hold)
    {
        lock (_lock)
        {
            HoldChanges.Add($"-{hold.Address}");
            return _holds.Remove(hold);
        }
    }

    public IReadOnlyList<AddressHold> ListHolds()
    {
        lock (_lock)
        {
            return [.. _holds];
        }
    }
}
