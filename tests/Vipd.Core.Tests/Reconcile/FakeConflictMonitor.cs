using Vipd.Core.Reconcile;

namespace Vipd.Core.Tests.Reconcile;

/// <summary>Records the watched set and lets the test report conflicts.</summary>
internal sealed class FakeConflictMonitor : IConflictMonitor
{
    private Action<AddressConflict>? _onConflict;

    public IReadOnlyCollection<HeldAddress> Watched { get; private set; } = [];

    public void Watch(IReadOnlyCollection<HeldAddress> held) => Watched = [.. held];

    public void Start(Action<AddressConflict> onConflict) => _onConflict = onConflict;

    public void Raise(AddressConflict conflict) => (_onConflict ?? throw new InvalidOperationException("not started"))(conflict);

    public void Dispose()
    {
    }
}
