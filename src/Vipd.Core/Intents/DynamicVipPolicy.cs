using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Vipd.Core.Config;

namespace Vipd.Core.Intents;

/// <summary>
/// What a node's operator lets dynamic VIPs (the API, vipd-k8s, and what peers replicate) be: an address and prefix
/// route inside <c>[api] vip_prefixes</c>, on an interface of <c>[api] vip_interfaces</c>, never a subnet's network
/// or broadcast address, never an address the caller passes as reserved (members' node addresses, the operator's
/// host addresses). Pure: the node supplies the reserved addresses.
/// </summary>
public sealed class DynamicVipPolicy
{
    /// <summary>The config key that turns dynamic VIPs on.</summary>
    public const string PrefixesKey = "[api] vip_prefixes";

    /// <summary>The config key that lists the interfaces dynamic VIPs may use.</summary>
    public const string InterfacesKey = "[api] vip_interfaces";

    private readonly string _node;
    private readonly string _file;
    private readonly string _fallbackInterface;

    public DynamicVipPolicy(VipdConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        _node = config.Node.Name;
        _file = config.SourcePath;
        Prefixes = config.Api.VipPrefixes;
        _fallbackInterface = DefaultInterface(config);
        Interfaces = config.Api.VipInterfaces.IsEmpty
            ? [.. new[] { config.Node.Interface }.Concat(config.Vips.Select(v => v.Interface)).OfType<string>().Distinct(StringComparer.Ordinal)]
            : [.. config.Api.VipInterfaces];
    }

    /// <summary>The allowed prefixes; empty: dynamic VIPs are refused.</summary>
    public IReadOnlyList<IPNetwork> Prefixes { get; }

    /// <summary>The allowed interfaces.</summary>
    public IReadOnlyList<string> Interfaces { get; }

    /// <summary>True when the operator allows dynamic VIPs at all.</summary>
    public bool Enabled => Prefixes.Count > 0;

    /// <summary>Why every dynamic VIP is refused while <see cref="PrefixesKey"/> is unset, naming the key and the file.</summary>
    public string DisabledMessage =>
        $"dynamic VIPs are off on node '{_node}': set {PrefixesKey} in {_file} to the prefixes the API and vipd-k8s may use, then restart vipd";

    /// <summary>The interface a dynamic VIP naming none binds to: <c>[node] interface</c>, else the first config VIP's (as <see cref="Nodes.NodeVipSet"/>).</summary>
    public static string DefaultInterface(VipdConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Node.Interface ?? (config.Vips.Count > 0 ? config.Vips[0].Interface : string.Empty);
    }

    /// <summary>Null when this node's operator allows <paramref name="vip"/>, else why not (starting with the VIP's name).</summary>
    /// <param name="vip">The dynamic VIP.</param>
    /// <param name="reserved">Addresses no dynamic VIP may take, each with what it is ("the node address of member 'n2'").</param>
    public string? Check(DynamicVip vip, IReadOnlyDictionary<IPAddress, string> reserved)
    {
        ArgumentNullException.ThrowIfNull(vip);
        ArgumentNullException.ThrowIfNull(reserved);
        if (!Enabled)
        {
            return $"VIP '{vip.Name}': {DisabledMessage}";
        }

        var label = $"VIP '{vip.Name}'";
        var iface = vip.Interface ?? _fallbackInterface;
        if (!Interfaces.Contains(iface, StringComparer.Ordinal))
        {
            return $"{label}: interface '{iface}' is not allowed for dynamic VIPs on node '{_node}' ({InterfacesKey}: {string.Join(", ", Interfaces)})";
        }

        IPNetwork? within = null;
        IPNetwork? wider = null;
        foreach (var prefix in Prefixes)
        {
            if (prefix.BaseAddress.AddressFamily == vip.Address.AddressFamily && prefix.Contains(vip.Address))
            {
                if (vip.PrefixLength >= prefix.PrefixLength)
                {
                    within = prefix;
                    break;
                }

                wider ??= prefix;
            }
        }

        if (within is not { } allowed)
        {
            return wider is { } near
                ? string.Create(CultureInfo.InvariantCulture, $"{label}: {vip.Cidr} would add a route wider than the allowed prefix {near}; use a prefix length of {near.PrefixLength} or more")
                : $"{label}: {vip.Address} is outside {PrefixesKey} of node '{_node}' ({string.Join(", ", Prefixes)})";
        }

        if ((SubnetEdge(vip.Address, vip.PrefixLength) ?? SubnetEdge(vip.Address, allowed.PrefixLength)) is { } edge)
        {
            return $"{label}: {vip.Address} is {edge}; a VIP must be a host address";
        }

        return reserved.TryGetValue(vip.Address, out var what)
            ? $"{label}: {vip.Address} is {what}; a dynamic VIP must be an extra address"
            : null;
    }

    /// <summary>"the network address of 192.0.2.0/24" when the address is its subnet's network (or IPv4 broadcast) address, else null.</summary>
    public static string? SubnetEdge(IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        var bytes = address.GetAddressBytes();
        var bits = bytes.Length * 8;

        // /31 and /32 (RFC 3021), /127 (RFC 6164) and /128 have no network or broadcast address.
        if (prefixLength >= bits - 1)
        {
            return null;
        }

        var allZero = true;
        var allOne = true;
        for (var bit = prefixLength; bit < bits; bit++)
        {
            var set = (bytes[bit / 8] & (0x80 >> (bit % 8))) != 0;
            allZero &= !set;
            allOne &= set;
        }

        var network = new IPNetwork(Masked(bytes, prefixLength), prefixLength);
        if (allZero)
        {
            return address.AddressFamily == AddressFamily.InterNetwork
                ? $"the network address of {network}"
                : $"the subnet-router anycast address of {network}";
        }

        return allOne && address.AddressFamily == AddressFamily.InterNetwork ? $"the broadcast address of {network}" : null;
    }

    private static IPAddress Masked(byte[] bytes, int prefixLength)
    {
        var copy = (byte[])bytes.Clone();
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] &= (byte)(0xFF << (8 - Math.Clamp(prefixLength - (i * 8), 0, 8)));
        }

        return new IPAddress(copy);
    }
}
