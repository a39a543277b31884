using System.Net;

namespace Vipd.Core.Reconcile;

/// <summary>
/// The pure heart of the announcer: desired bindings against the kernel's addresses and links, to the changes
/// that make them agree. Only addresses marked as vipd's are ever removed; an operator's address that equals a
/// VIP counts as holding it.
/// </summary>
internal static class ReconcilePlanner
{
    public static ReconcilePlan Plan(
        IReadOnlyCollection<VipBinding> desired,
        IReadOnlyList<InterfaceAddress> actual,
        IReadOnlyList<LinkInfo> links)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(links);

        var linksByName = new Dictionary<string, LinkInfo>(links.Count, StringComparer.Ordinal);
        foreach (var link in links)
        {
            linksByName.TryAdd(link.Name, link);
        }

        var byAddress = new Dictionary<(int Index, IPAddress Address), List<InterfaceAddress>>(actual.Count);
        foreach (var address in actual)
        {
            var key = (address.InterfaceIndex, address.Address);
            if (!byAddress.TryGetValue(key, out var list))
            {
                list = new List<InterfaceAddress>(1);
                byAddress[key] = list;
            }

            list.Add(address);
        }

        var bindings = new Dictionary<VipBinding, BindingPlan>(desired.Count);
        var kept = new HashSet<(int Index, IPAddress Address, int PrefixLength)>();
        var readds = new List<AddressChange>();
        var adds = new List<AddressChange>();
        foreach (var binding in desired)
        {
            if (bindings.ContainsKey(binding))
            {
                continue;
            }

            if (!linksByName.TryGetValue(binding.Interface, out var link))
            {
                bindings[binding] = new BindingPlan(BindingStatus.NoInterface, null);
                continue;
            }

            var status = BindingStatus.Add;
            if (byAddress.TryGetValue((link.Index, binding.Address), out var present))
            {
                foreach (var address in present)
                {
                    if (!address.AddedByVipd)
                    {
                        status = BindingStatus.HeldByOperator;
                        break;
                    }

                    if (address.PrefixLength == binding.PrefixLength)
                    {
                        status = (address.Flags & AddressFlags.DadFailed) != 0 ? BindingStatus.Readd : BindingStatus.Present;
                    }
                }
            }

            var exact = (link.Index, binding.Address, binding.PrefixLength);
            switch (status)
            {
                case BindingStatus.Present:
                    kept.Add(exact);
                    break;
                case BindingStatus.Readd:
                    kept.Add(exact);
                    readds.Add(new AddressChange(AddressChangeKind.Remove, link.Index, binding.Address, binding.PrefixLength));
                    adds.Add(new AddressChange(AddressChangeKind.Add, link.Index, binding.Address, binding.PrefixLength));
                    break;
                case BindingStatus.Add:
                    adds.Add(new AddressChange(AddressChangeKind.Add, link.Index, binding.Address, binding.PrefixLength));
                    break;
                default:
                    break;
            }

            bindings[binding] = new BindingPlan(status, link);
        }

        var changes = new List<AddressChange>(adds.Count + (readds.Count * 2));
        foreach (var address in actual)
        {
            if (address.AddedByVipd && !kept.Contains((address.InterfaceIndex, address.Address, address.PrefixLength)))
            {
                changes.Add(new AddressChange(AddressChangeKind.Remove, address.InterfaceIndex, address.Address, address.PrefixLength));
            }
        }

        changes.AddRange(readds);
        changes.AddRange(adds);
        return new ReconcilePlan(changes, bindings);
    }
}
