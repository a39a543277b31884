using System.Net;
using Vipd.Core.Intents;

namespace Vipd.Core.Nodes;

/// <summary>
/// The operator's limits on dynamic VIPs (<see cref="DynamicVipPolicy"/>), applied twice: to API requests before
/// anything is stored, and by every node to what it would bind, replicated VIPs included: a peer's acceptance never
/// makes this node bind an address its own config forbids.
/// </summary>
public sealed partial class Node
{
    private DynamicVipPolicy _policy;
    private Dictionary<string, string> _refused = new(StringComparer.Ordinal);
    private long _refusedTotal;

    /// <summary>A dynamic VIP this node will not hold (its config forbids it), with why. Raised on the loop, once per VIP and reason.</summary>
    public event Action<string, string>? DynamicVipRefused;

    /// <summary>The operator's limits on dynamic VIPs (from the config this node started with).</summary>
    public DynamicVipPolicy DynamicVipPolicy => Volatile.Read(ref _policy);

    /// <summary>Dynamic VIPs this node refuses to hold now, by name, with why.</summary>
    public IReadOnlyDictionary<string, string> RefusedDynamicVips => Volatile.Read(ref _refused);

    /// <summary>How many times a dynamic VIP was refused by this node's config since start (API requests excepted).</summary>
    public long DynamicVipRefusals => Interlocked.Read(ref _refusedTotal);

    /// <summary>
    /// On the loop: why each VIP of an API request may not be applied here (the operator's prefixes and interfaces,
    /// members' node addresses, this host's own addresses); empty when all may. The first item is the
    /// <see cref="DynamicVipPolicy.DisabledMessage"/> alone when dynamic VIPs are off.
    /// </summary>
    public IReadOnlyList<string> DynamicVipErrors(IReadOnlyList<DynamicVip> vips)
    {
        ArgumentNullException.ThrowIfNull(vips);
        var policy = DynamicVipPolicy;
        if (!policy.Enabled)
        {
            return vips.Count == 0 ? [] : [policy.DisabledMessage];
        }

        var reserved = ReservedAddresses(includeHost: true);
        return [.. vips.Select(v => policy.Check(v, reserved)).OfType<string>()];
    }

    /// <summary>
    /// Addresses no dynamic VIP may take: this node's and each peer's node address (config and membership) and,
    /// with <paramref name="includeHost"/>, the addresses on this host that vipd did not add.
    /// </summary>
    private Dictionary<IPAddress, string> ReservedAddresses(bool includeHost)
    {
        var config = Config;
        var reserved = new Dictionary<IPAddress, string>
        {
            [config.Node.Address] = $"the node address of member '{config.Node.Name}' (this node)",
        };
        foreach (var member in Membership.Members)
        {
            reserved.TryAdd(member.Address.Address, $"the node address of member '{member.Name}'");
        }

        foreach (var peer in config.Cluster.Peers)
        {
            reserved.TryAdd(peer.Address, "a peer's node address ([cluster] peers)");
        }

        if (includeHost)
        {
            // An address vipd holds is not the operator's, even where the kernel does not keep vipd's mark.
            var vips = Volatile.Read(ref _vips);
            var held = vips is null ? [] : Announcer.Held.Select(name => vips.Find(name)?.Address).OfType<IPAddress>().ToHashSet();
            var links = _ports.Addresses.ListLinks().ToDictionary(l => l.Index, l => l.Name);
            foreach (var address in _ports.Addresses.ListAddresses())
            {
                if (!address.AddedByVipd && !held.Contains(address.Address))
                {
                    var link = links.GetValueOrDefault(address.InterfaceIndex) ?? $"#{address.InterfaceIndex}";
                    reserved.TryAdd(address.Address, $"configured on interface {link} of node '{config.Node.Name}' by its operator");
                }
            }
        }

        return reserved;
    }

    /// <summary>On the loop: re-judges every dynamic VIP of the store against this node's config; a refused one is not held here.</summary>
    private void JudgeDynamicVips(IReadOnlyList<SourcedVip> dynamic)
    {
        var policy = DynamicVipPolicy;
        var refused = new Dictionary<string, string>(StringComparer.Ordinal);
        if (dynamic.Count > 0)
        {
            var reserved = ReservedAddresses(includeHost: true);
            foreach (var (_, vip) in dynamic)
            {
                if (_config.FindVip(vip.Name) is null && policy.Check(vip, reserved) is { } reason)
                {
                    refused[vip.Name] = reason;
                }
            }
        }

        UseRefusals(refused);
    }

    /// <summary>
    /// On the loop, the last gate before binding: drops from <paramref name="desired"/> every dynamic VIP this node
    /// does not hold yet and may not hold now (a member joined with that address, the operator added it here).
    /// </summary>
    private IReadOnlySet<string> GateDesired(IReadOnlySet<string> desired)
    {
        var vips = Vips;
        var held = Announcer.Held.ToHashSet(StringComparer.Ordinal);
        var candidates = desired.Where(n => !held.Contains(n) && vips.ByName.TryGetValue(n, out var v) && v.Source != ConfigSource).ToList();
        if (candidates.Count == 0)
        {
            return desired;
        }

        var reserved = ReservedAddresses(includeHost: true);
        var dynamicByName = new Dictionary<string, DynamicVip>(StringComparer.Ordinal);
        foreach (var (_, vip) in Intents.EffectiveVips())
        {
            dynamicByName.TryAdd(vip.Name, vip);
        }

        var refused = new Dictionary<string, string>(RefusedDynamicVips, StringComparer.Ordinal);
        var gated = new HashSet<string>(desired, StringComparer.Ordinal);
        foreach (var name in candidates)
        {
            var reason = refused.GetValueOrDefault(name)
                ?? (dynamicByName.TryGetValue(name, out var dynamic) ? DynamicVipPolicy.Check(dynamic, reserved) : null);
            if (reason is not null)
            {
                refused[name] = reason;
                gated.Remove(name);
            }
        }

        if (UseRefusals(refused))
        {
            // Ineligible from now on, so the election picks another node.
            _loop.Post(PublishLocalState);
        }

        return gated;
    }

    /// <summary>Takes a new refusal set; counts and reports each new refusal. True when a VIP was newly refused.</summary>
    private bool UseRefusals(Dictionary<string, string> refused)
    {
        var previous = RefusedDynamicVips;
        var added = false;
        foreach (var (name, reason) in refused)
        {
            if (!previous.TryGetValue(name, out var before) || before != reason)
            {
                added = true;
                Interlocked.Increment(ref _refusedTotal);
                DynamicVipRefused?.Invoke(name, reason);
            }
        }

        Volatile.Write(ref _refused, refused);
        return added;
    }
}
