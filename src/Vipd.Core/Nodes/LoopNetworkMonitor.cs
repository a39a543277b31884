using Vipd.Core.Reconcile;

namespace Vipd.Core.Nodes;

/// <summary>
/// The one kernel monitor of a node, with its changes posted to the loop: the announcer gets each change (to repair
/// a removed VIP), then the node (a link change re-derives this node's eligibility).
/// </summary>
internal sealed class LoopNetworkMonitor(INetworkMonitor inner, INodeLoop loop, Action<NetworkChange> thenOnLoop) : INetworkMonitor
{
    public void Start(Action<NetworkChange> onChange) => inner.Start(change => loop.Post(() =>
    {
        onChange(change);
        thenOnLoop(change);
    }));

    public void Dispose() => inner.Dispose();
}
