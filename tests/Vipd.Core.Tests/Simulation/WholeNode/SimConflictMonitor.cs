using System.Net;
using System.Net.NetworkInformation;
using Vipd.Core.Reconcile;

namespace Vipd.Core.Tests.Simulation.WholeNode;

/// <summary>A host's conflict monitor: an announcement of a watched address from another MAC is reported.</summary>
internal sealed class SimConflictMonitor : IConflictMonitor
{
    private IReadOnlyCollection<HeldAddress> _watched = [];
    private Action<AddressConflict>? _onConflict;

    public void Watch(IReadOnlyCollection<HeldAddress> held) => _watched = [.. held];

    public void Start(Action<AddressConflict> onConflict) => _onConflict = onConflict;

    public void Hear(IPAddress address, PhysicalAddress mac)
    {
        foreach (var held in _watched)
        {
            if (held.Address.Equals(address) && !held.Link.Mac.Equals(mac))
            {
                _onConflict?.Invoke(new AddressConflict(address, held.Link.Index, mac, ConflictKind.ArpRequest));
                return;
            }
        }
    }

    public void Dispose() => _onConflict = null;
}
