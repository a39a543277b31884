using System.Net;
using System.Net.Sockets;

namespace Vipd.Core.Config;

/// <summary>One <c>[[vip]]</c>: a virtual IP address, where it may live and how it is ranked and announced.</summary>
public sealed record VipConfig
{
    /// <summary>Unique name (API, metrics and logs use it).</summary>
    public required string Name { get; init; }

    /// <summary>The address itself (the part before the slash).</summary>
    public required IPAddress Address { get; init; }

    /// <summary>The prefix length bound with it (the part after the slash).</summary>
    public required int PrefixLength { get; init; }

    /// <summary>The interface it is bound to (its own, or <c>[node] interface</c>).</summary>
    public required string Interface { get; init; }

    /// <summary>The priority of every node not listed in <see cref="Priorities"/> (1–255, higher wins).</summary>
    public required int Priority { get; init; }

    /// <summary>Per-node priorities, sorted by node name.</summary>
    public required EquatableArray<NodePriority> Priorities { get; init; }

    /// <summary>A better-ranked node takes the VIP over from a healthy owner; false: the owner keeps it while eligible.</summary>
    public required bool Preempt { get; init; }

    /// <summary>How long a better-ranked node must stay eligible before it preempts.</summary>
    public required TimeSpan PreemptDelay { get; init; }

    /// <summary>The nodes allowed to hold the VIP; empty means every node.</summary>
    public required EquatableArray<string> Nodes { get; init; }

    /// <summary>Names of the checks that must pass on a node for it to be eligible (or that shift its priority).</summary>
    public required EquatableArray<string> Checks { get; init; }

    public required AnnounceConfig Announce { get; init; }

    /// <summary>Scripts run on this node's state changes for the VIP (<c>[vip.notify]</c>).</summary>
    public NotifyConfig Notify { get; init; } = NotifyConfig.None;

    /// <summary>How the VIP reaches clients: L2 announcements (the default) or BGP through FRR.</summary>
    public VipMode Mode { get; init; } = VipMode.L2;

    /// <summary>In <see cref="VipMode.Bgp"/>: the elected owner advertises (active-standby) or every eligible node does.</summary>
    public BgpPolicy Policy { get; init; } = ConfigDefaults.Policy;

    /// <summary>In <see cref="VipMode.Bgp"/>: BGP communities set on the route ("64512:100", "no-export"); empty for none.</summary>
    public EquatableArray<string> Communities { get; init; } = new([]);

    /// <summary>True when every eligible node holds the VIP (a BGP active-active VIP): it is not elected.</summary>
    public bool HeldWhenEligible => Mode == VipMode.Bgp && Policy == BgpPolicy.ActiveActive;

    /// <summary>True for an IPv6 VIP (announced with unsolicited NAs).</summary>
    public bool IsIPv6 => Address.AddressFamily == AddressFamily.InterNetworkV6;

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

    /// <summary>True when <paramref name="node"/> may hold this VIP.</summary>
    public bool Allows(string node) => Nodes.IsEmpty || Nodes.Contains(node);

    /// <summary>"192.0.2.200/24".</summary>
    public string Cidr => $"{Address}/{PrefixLength}";
}
