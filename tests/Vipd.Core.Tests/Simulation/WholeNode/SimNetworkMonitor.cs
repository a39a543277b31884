using Vipd.Core.Reconcile;

namespace Vipd.Core.Tests.Simulation.WholeNode;

/// <summary>A host's rtnetlink monitor: the simulation raises link changes through it.</summary>
internal sealed class SimNetworkMonitor : INetworkMonitor
{
    private Action<NetworkChange>? _onChange;

    public void Start(Action<NetworkChange> onChange) => _onChange = onChange;

    public void Raise(NetworkChange change) => _onChange?.Invoke(change);

    public void Dispose() => _onChange = null;
}
