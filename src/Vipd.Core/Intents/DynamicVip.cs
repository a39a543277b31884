using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Vipd.Core.Config;
using Vipd.Core.Election;

namespace Vipd.Core.Intents;

/// <summary>
/// A VIP applied at run time by a named source (automation, the Kubernetes plugin) instead of the config file: the
/// proto's <c>vipd.v1.DynamicVip</c> in Core terms. Created through <see cref="IntentValidation.TryCreateVip"/>, which
/// applies the config's rules; value equality (lists compare by content) so a re-apply is recognised as unchanged.
/// </summary>
public sealed record DynamicVip
{
    /// <summary>Unique in the cluster (config VIPs and every source): 1–63 of letters, digits, '-', '_', '.'.</summary>
    public required string Name { get; init; }

    /// <summary>The address itself.</summary>
    public required IPAddress Address { get; init; }

    /// <summary>The prefix length bound with it.</summary>
    public required int PrefixLength { get; init; }

    /// <summary>The interface to bind it to; null: the <c>[node] interface</c> of each node.</summary>
    public string? Interface { get; init; }

    /// <summary>The nodes allowed to hold it, sorted; empty: every node.</summary>
    public EquatableArray<string> AllowedNodes { get; init; } = new([]);

    /// <summary>A better-ranked node takes it over from a healthy owner (default true, as in the config).</summary>
    public bool Preempt { get; init; } = ConfigDefaults.Preempt;

    /// <summary>How long a better-ranked node must stay eligible before it preempts.</summary>
    public TimeSpan PreemptDelay { get; init; }

    /// <summary>The priority of nodes not listed in <see cref="Priorities"/> (1–255, higher wins).</summary>
    public int Priority { get; init; } = ConfigDefaults.Priority;

    /// <summary>Per-node priorities (1–255), sorted by node name.</summary>
    public EquatableArray<NodePriority> Priorities { get; init; } = new([]);

    /// <summary>True for an IPv6 VIP.</summary>
    public bool IsIPv6 => Address.AddressFamily == AddressFamily.InterNetworkV6;

    /// <summary>"192.0.2.200/24".</summary>
    public string Cidr => string.Create(CultureInfo.InvariantCulture, $"{Address}/{PrefixLength}");

    /// <summary>The priority of <paramref name="node"/> for this VIP.</summary>
    public int PriorityOf(string node)
    {
        foreach (var entry in Priorities)
        {
            if (entry.Node == node)
            {
                return entry.Priority;
            }
        }

        return Priority;
    }

    /// <summary>The election's view of this VIP, with the cluster-wide Move preference if any.</summary>
    public VipSpec ToVipSpec(string? preferredNode = null) =>
        new(Name, Preempt, PreemptDelay, AllowedNodes.IsEmpty ? null : [.. AllowedNodes]) { PreferredNode = preferredNode };

    /// <summary>
    /// A config-shaped VIP for the announcer and the daemon (no checks, no notify scripts): the interface falls back
    /// to <paramref name="defaultInterface"/>.
    /// </summary>
    public VipConfig ToVipConfig(string defaultInterface, AnnounceConfig announce) => new()
    {
        Name = Name,
        Address = Address,
        PrefixLength = PrefixLength,
        Interface = Interface ?? defaultInterface,
        Priority = Priority,
        Priorities = Priorities,
        Preempt = Preempt,
        PreemptDelay = PreemptDelay,
        Nodes = AllowedNodes,
        Checks = new([]),
        Announce = announce,
    };
}
