using System.Net;
using System.Net.NetworkInformation;
using Microsoft.Extensions.Time.Testing;

namespace Vipd.Core.Tests.Simulation.WholeNode;

/// <summary>
/// The Layer 2 segment the VIPs live on: hosts' announcements (gratuitous ARP / NA) reach, after a short delay, the
/// client's neighbour cache and every other host's conflict monitor, unless the sender's or receiver's link is down.
/// The client learns from every announcement (Linux with <c>arp_accept</c>; locktime is not modelled).
/// </summary>
internal sealed class SimSegment(FakeTimeProvider time)
{
    private static readonly TimeSpan Latency = TimeSpan.FromMicroseconds(200);
    private readonly List<SimHost> _hosts = [];

    /// <summary>The client's neighbour cache: address → MAC.</summary>
    public Dictionary<IPAddress, PhysicalAddress> ClientCache { get; } = [];

    public long Announcements { get; private set; }

    public void Attach(SimHost host) => _hosts.Add(host);

    public void Detach(SimHost host) => _hosts.Remove(host);

    /// <summary>One announcement round from <paramref name="from"/> for <paramref name="address"/>.</summary>
    public void Announce(SimHost from, IPAddress address)
    {
        if (!from.Kernel.LinkUp)
        {
            return;
        }

        Announcements++;
        var mac = from.Kernel.Mac;
        ITimer? timer = null;
        timer = time.CreateTimer(
            _ =>
            {
                timer?.Dispose();
                Deliver(from, address, mac);
            },
            null,
            Latency,
            Timeout.InfiniteTimeSpan);
    }

    private void Deliver(SimHost from, IPAddress address, PhysicalAddress mac)
    {
        if (!_hosts.Contains(from) || !from.Kernel.LinkUp)
        {
            return; // the sender's cable was pulled while the frame was in flight
        }

        ClientCache[address] = mac;
        foreach (var host in _hosts.ToList())
        {
            if (host != from && host.Kernel.LinkUp)
            {
                host.Conflicts.Hear(address, mac);
            }
        }
    }
}
