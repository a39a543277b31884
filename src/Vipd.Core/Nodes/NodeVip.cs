using Vipd.Core.Config;

namespace Vipd.Core.Nodes;

/// <summary>One VIP of the merged set, whatever its source: the config file or a dynamic source (vipctl, vipd-k8s).</summary>
/// <param name="Config">Its settings (a dynamic VIP is completed with defaults and the node's interface).</param>
/// <param name="Source"><see cref="Node.ConfigSource"/> for the config file, else the dynamic source's name.</param>
public sealed record NodeVip(VipConfig Config, string Source)
{
    /// <summary>The VIP's name.</summary>
    public string Name => Config.Name;
}
