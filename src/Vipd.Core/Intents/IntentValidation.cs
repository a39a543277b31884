using System.Globalization;
using System.Net;
using Vipd.Core.Config;

namespace Vipd.Core.Intents;

/// <summary>The rules dynamic VIPs and sources follow: the config's rules for names, addresses and priorities.</summary>
public static class IntentValidation
{
    /// <summary>The source name the config file's VIPs are listed under; no dynamic source may use it.</summary>
    public const string ConfigSource = "config";

    /// <summary>Most VIPs one source may hold (keeps a source's replicated set well below <see cref="IntentOptions.MaxEntryBytes"/>).</summary>
    public const int MaxVipsPerSource = 1024;

    /// <summary>Longest preempt delay accepted: one day.</summary>
    public static readonly TimeSpan MaxPreemptDelay = TimeSpan.FromDays(1);

    /// <summary>Null when <paramref name="source"/> is a valid dynamic source name, else why not.</summary>
    public static string? SourceError(string? source)
    {
        if (string.IsNullOrEmpty(source))
        {
            return "a source name is required";
        }

        if (!Names.IsValidName(source))
        {
            return $"invalid source name '{source}': {Names.NameRule}";
        }

        return source == ConfigSource ? $"the source name '{ConfigSource}' is reserved for the config file's VIPs" : null;
    }

    /// <summary>Null when <paramref name="node"/> is a valid node name, else why not.</summary>
    public static string? NodeError(string? node) =>
        string.IsNullOrEmpty(node) ? "a node name is required"
        : Names.IsValidName(node) ? null : $"invalid node name '{node}': {Names.NameRule}";

    /// <summary>Null when <paramref name="vip"/> is a valid VIP name, else why not.</summary>
    public static string? VipNameError(string? vip) =>
        string.IsNullOrEmpty(vip) ? "a VIP name is required"
        : Names.IsValidName(vip) ? null : $"invalid VIP name '{vip}': {Names.NameRule}";

    /// <summary>
    /// Builds a dynamic VIP from the API's fields with the config's rules; every problem is collected in
    /// <paramref name="errors"/>, each starting with the VIP's name.
    /// </summary>
    /// <param name="name">1–63 of letters, digits, '-', '_', '.', starting alphanumeric.</param>
    /// <param name="address">CIDR such as "192.0.2.200/24" or "2001:db8::200/64".</param>
    /// <param name="interfaceName">Null or empty: the <c>[node] interface</c> of each node.</param>
    /// <param name="allowedNodes">Empty: every node.</param>
    /// <param name="preempt">Null: true.</param>
    /// <param name="preemptDelay">Null: zero.</param>
    /// <param name="priority">1–255; 0: the default 100.</param>
    /// <param name="priorities">Per-node priorities, 1–255.</param>
    /// <param name="vip">The VIP when valid.</param>
    /// <param name="errors">Why not.</param>
    public static bool TryCreateVip(
        string? name,
        string? address,
        string? interfaceName,
        IEnumerable<string>? allowedNodes,
        bool? preempt,
        TimeSpan? preemptDelay,
        uint priority,
        IEnumerable<KeyValuePair<string, uint>>? priorities,
        out DynamicVip? vip,
        out IReadOnlyList<string> errors)
    {
        var list = new List<string>();
        var label = string.IsNullOrEmpty(name) ? "VIP" : $"VIP '{name}'";
        if (VipNameError(name) is { } nameError)
        {
            list.Add(nameError);
        }

        IPAddress? parsed = null;
        var prefix = 0;
        if (string.IsNullOrEmpty(address))
        {
            list.Add($"{label}: an address is required");
        }
        else if (!AddressParser.TryParseCidr(address, out var a, out prefix, out var cidrError))
        {
            list.Add($"{label}: {cidrError}");
        }
        else if (AddressParser.IsUnusable(a) || IPAddress.IsLoopback(a))
        {
            list.Add($"{label}: '{address}' cannot be a VIP (unspecified, loopback, multicast or broadcast)");
        }
        else
        {
            parsed = a;
        }

        var iface = string.IsNullOrEmpty(interfaceName) ? null : interfaceName;
        if (iface is not null && !Names.IsValidInterface(iface))
        {
            list.Add($"{label}: invalid interface name '{iface}'");
        }

        var allowed = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var node in allowedNodes ?? [])
        {
            if (NodeError(node) is { } error)
            {
                list.Add($"{label}: allowed nodes: {error}");
            }
            else if (!allowed.Add(node))
            {
                list.Add($"{label}: allowed nodes: '{node}' is listed twice");
            }
        }

        var delay = preemptDelay ?? ConfigDefaults.PreemptDelay;
        if (delay < TimeSpan.Zero || delay > MaxPreemptDelay)
        {
            list.Add($"{label}: preempt delay must be 0 to 24 h");
        }

        var effective = priority == 0 ? ConfigDefaults.Priority : (int)Math.Min(priority, int.MaxValue);
        if (effective is < ConfigDefaults.MinPriority or > ConfigDefaults.MaxPriority)
        {
            list.Add(string.Create(CultureInfo.InvariantCulture, $"{label}: priority {priority} is out of range; use 1 to 255 (0: the default 100)"));
        }

        var perNode = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var (node, value) in priorities ?? [])
        {
            if (NodeError(node) is { } error)
            {
                list.Add($"{label}: priorities: {error}");
            }
            else if (value is < ConfigDefaults.MinPriority or > ConfigDefaults.MaxPriority)
            {
                list.Add(string.Create(CultureInfo.InvariantCulture, $"{label}: priority {value} of node '{node}' is out of range; use 1 to 255"));
            }
            else if (!perNode.TryAdd(node, (int)value))
            {
                list.Add($"{label}: priorities: '{node}' is listed twice");
            }
        }

        errors = list;
        if (list.Count > 0 || parsed is null || name is null)
        {
            vip = null;
            return false;
        }

        vip = new DynamicVip
        {
            Name = name,
            Address = parsed,
            PrefixLength = prefix,
            Interface = iface,
            AllowedNodes = new(allowed),
            Preempt = preempt ?? ConfigDefaults.Preempt,
            PreemptDelay = delay,
            Priority = effective,
            Priorities = new(perNode.Select(p => new NodePriority(p.Key, p.Value))),
        };
        return true;
    }
}
