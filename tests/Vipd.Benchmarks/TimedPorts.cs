using System.Diagnostics;
using System.Net;
using Vipd.Core.Reconcile;

namespace Vipd.Benchmarks;

/// <summary>Wraps the announcer's ports and adds up the time spent in each, to break a SetDesired down.</summary>
internal sealed class TimedPorts(IAddressManager addresses, INeighborAnnouncer neighbors) : IAddressManager, INeighborAnnouncer
{
    private long _listTicks;
    private long _applyTicks;
    private long _announceTicks;

    public double ListMs => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _listTicks)).TotalMilliseconds;

    public double ApplyMs => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _applyTicks)).TotalMilliseconds;

    public double AnnounceMs => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _announceTicks)).TotalMilliseconds;

    public void Reset()
    {
        Interlocked.Exchange(ref _listTicks, 0);
        Interlocked.Exchange(ref _applyTicks, 0);
        Interlocked.Exchange(ref _announceTicks, 0);
    }

    public LinkInfo? FindLink(string name) => addresses.FindLink(name);

    public IReadOnlyList<LinkInfo> ListLinks() => Time(ref _listTicks, addresses.ListLinks);

    public IReadOnlyList<InterfaceAddress> ListAddresses() => Time(ref _listTicks, addresses.ListAddresses);

    public bool Add(int interfaceIndex, IPAddress address, int prefixLength) => Time(ref _applyTicks, () => addresses.Add(interfaceIndex, address, prefixLength));

    public bool Remove(int interfaceIndex, IPAddress address, int prefixLength) => Time(ref _applyTicks, () => addresses.Remove(interfaceIndex, address, prefixLength));

    public IReadOnlyList<AddressChangeResult> Apply(IReadOnlyList<AddressChange> changes) => Time(ref _applyTicks, () => addresses.Apply(changes));

    public bool AddHold(AddressHold hold) => Time(ref _applyTicks, () => addresses.AddHold(hold));

    public bool RemoveHold(AddressHold hold) => Time(ref _applyTicks, () => addresses.RemoveHold(hold));

    public IReadOnlyList<AddressHold> ListHolds() => Time(ref _listTicks, addresses.ListHolds);

    public void Announce(LinkInfo link, IPAddress address)
    {
        var start = Stopwatch.GetTimestamp();
        neighbors.Announce(link, address);
        Interlocked.Add(ref _announceTicks, Stopwatch.GetTimestamp() - start);
    }

    private static T Time<T>(ref long ticks, Func<T> action)
    {
        var start = Stopwatch.GetTimestamp();
        var result = action();
        Interlocked.Add(ref ticks, Stopwatch.GetTimestamp() - start);
        return result;
    }
}
