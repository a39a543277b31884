using System.Net;
using Vipd.Core.Reconcile;

namespace Vipd.Core.Tests.Simulation.WholeNode;

/// <summary>A host's raw socket: announcements go onto the simulated segment.</summary>
internal sealed class SimNeighborAnnouncer(SimSegment segment, Func<SimHost> host) : INeighborAnnouncer
{
    public void Announce(LinkInfo link, IPAddress address) => segment.Announce(host(), address);
}
