using System.Collections.Concurrent;
using Vipd.Core.Reconcile;
using Vipd.Linux.Neighbor;
using Vipd.Linux.Netlink;

namespace Vipd.Lab.Tests;

/// <summary>One node's announcer with the real Linux implementations, all sockets opened inside its namespace.</summary>
internal sealed class LabAnnouncer : IDisposable
{
    private readonly LabHost _host;
    private readonly NetlinkAddressManager _addresses;
    private readonly NetlinkMonitor _monitor;
    private readonly NeighborAnnouncer _neighbors;
    private readonly ConflictMonitor _conflicts;
    private readonly ConcurrentQueue<AnnouncerEvent> _events = new();

    private LabAnnouncer(LabHost host)
    {
        _host = host;
        (_addresses, _monitor, _neighbors, _conflicts) = host.Run(() =>
            (new NetlinkAddressManager(), new NetlinkMonitor(), new NeighborAnnouncer(), new ConflictMonitor()));
        Announcer = new Announcer(_addresses, _neighbors, _monitor, _conflicts, TimeProvider.System);
        Announcer.Changed += _events.Enqueue;
        host.Run(Announcer.Start);
    }

    public Announcer Announcer { get; }

    public ConflictMonitor Conflicts => _conflicts;

    public IReadOnlyList<AnnouncerEvent> Events => [.. _events];

    public static LabAnnouncer Create(LabHost host) => new(host);

    /// <summary>Runs SetDesired on a thread inside the namespace, as the daemon (which lives there) would.</summary>
    public void SetDesired(params OwnedVip[] vips) => _host.Run(() => Announcer.SetDesired(vips));

    public void Dispose()
    {
        Announcer.Dispose();
        _monitor.Dispose();
        _conflicts.Dispose();
        _neighbors.Dispose();
        _addresses.Dispose();
    }
}
