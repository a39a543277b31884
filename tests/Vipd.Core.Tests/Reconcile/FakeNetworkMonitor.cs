using Vipd.Core.Reconcile;

namespace Vipd.Core.Tests.Reconcile;

/// <summary>Hands the announcer's callback to the test, which raises changes as the kernel would.</summary>
internal sealed class FakeNetworkMonitor : INetworkMonitor
{
    private Action<NetworkChange>? _onChange;

    public bool Disposed { get; private set; }

    public void Start(Action<NetworkChange> onChange) => _onChange = onChange;

    public void Raise(NetworkChange change) => (_onChange ?? throw new InvalidOperationException("not started"))(change);

    public void Dispose() => Disposed = true;
}
