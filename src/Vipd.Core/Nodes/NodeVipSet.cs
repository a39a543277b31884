using Vipd.Core.Config;
using Vipd.Core.Election;
using Vipd.Core.Intents;

namespace Vipd.Core.Nodes;

/// <summary>
/// The merged VIP set of a node: the config file's VIPs, then the dynamic ones (a name or address the config file
/// has wins; vipctl and vipd-k8s are refused such VIPs up front). Immutable: each change builds a new set, which
/// readers on any thread may hold (YARP's merged config snapshot).
/// </summary>
public sealed class NodeVipSet
{
    private readonly Dictionary<string, NodeVip> _byName;

    private NodeVipSet(Dictionary<string, NodeVip> byName, IReadOnlyDictionary<string, string> preferences)
    {
        _byName = byName;
        Preferences = preferences;
        // Active-active BGP VIPs are held by every eligible node: they are not elected.
        Specs = [.. byName.Values.Where(v => !v.Config.HeldWhenEligible).Select(v => new VipSpec(v.Config.Name, v.Config.Preempt, v.Config.PreemptDelay, v.Config.Nodes.IsEmpty ? null : [.. v.Config.Nodes])
        {
            PreferredNode = preferences.GetValueOrDefault(v.Name),
        })];
    }

    /// <summary>Every VIP by name.</summary>
    public IReadOnlyDictionary<string, NodeVip> ByName => _byName;

    /// <summary>Move preferences by VIP name.</summary>
    public IReadOnlyDictionary<string, string> Preferences { get; }

    /// <summary>What the election needs of each elected VIP (every VIP but the active-active BGP ones).</summary>
    public IReadOnlyList<VipSpec> Specs { get; }

    /// <summary>The number of VIPs.</summary>
    public int Count => _byName.Count;

    /// <summary>The VIP's settings, or null when the set has no VIP of that name.</summary>
    public VipConfig? Find(string name) => _byName.TryGetValue(name, out var vip) ? vip.Config : null;

    /// <summary>
    /// Merges the config file's VIPs with the dynamic ones. A dynamic VIP without an interface takes
    /// <c>[node] interface</c>, else the first config VIP's; it announces as the global <c>[announce]</c> table says.
    /// </summary>
    public static NodeVipSet Build(VipdConfig config, IReadOnlyList<SourcedVip> dynamic, IReadOnlyDictionary<string, string> preferences)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(dynamic);
        ArgumentNullException.ThrowIfNull(preferences);
        var vips = new Dictionary<string, NodeVip>(StringComparer.Ordinal);
        foreach (var vip in config.Vips)
        {
            vips[vip.Name] = new NodeVip(vip, Node.ConfigSource);
        }

        var fallback = config.Node.Interface ?? (config.Vips.Count > 0 ? config.Vips[0].Interface : string.Empty);
        foreach (var (source, vip) in dynamic)
        {
            vips.TryAdd(vip.Name, new NodeVip(vip.ToVipConfig(fallback, config.Announce), source));
        }

        return new NodeVipSet(vips, preferences);
    }
}
