using Vipd.Core.Reconcile;

namespace Vipd.Core.Nodes;

/// <summary>The conflict monitor, with its reports posted to the loop (they come from the monitor's receive threads).</summary>
internal sealed class LoopConflictMonitor(IConflictMonitor inner, INodeLoop loop) : IConflictMonitor
{
    public void Watch(IReadOnlyCollection<HeldAddress> held) => inner.Watch(held);

    public void Start(Action<AddressConflict> onConflict) => inner.Start(conflict => loop.Post(() => onConflict(conflict)));

    public void Dispose() => inner.Dispose();
}
