using System.Net;
using System.Net.NetworkInformation;
using Microsoft.Extensions.Time.Testing;
using Vipd.Core.Reconcile;
using NetworkChange = Vipd.Core.Reconcile.NetworkChange;

namespace Vipd.Core.Tests.Reconcile;

public class AnnouncerTests : IDisposable
{
    private static readonly IPAddress Vip4 = IPAddress.Parse("192.0.2.200");
    private static readonly IPAddress Vip6 = IPAddress.Parse("2001:db8::200");
    private static readonly IPAddress NodeIp = IPAddress.Parse("192.0.2.11");
    private static readonly PhysicalAddress Foreign = PhysicalAddress.Parse("02-00-00-00-00-99");

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly FakeAddressManager _kernel = new();
    private readonly FakeNeighborAnnouncer _wire;
    private readonly FakeNetworkMonitor _monitor = new();
    private readonly FakeConflictMonitor _conflicts = new();
    private readonly Announcer _announcer;
    private readonly List<AnnouncerEvent> _events = [];
    private readonly LinkInfo _eth0;

    public AnnouncerTests()
    {
        _wire = new FakeNeighborAnnouncer(_time);
        _eth0 = _kernel.AddLink(2, "eth0");
        _kernel.AddOperatorAddress(2, NodeIp, 24);
        _announcer = new Announcer(_kernel, _wire, _monitor, _conflicts, _time);
        _announcer.Changed += e =>
        {
            lock (_events)
            {
                _events.Add(e);
            }
        };
        _announcer.Start();
    }

    public void Dispose() => _announcer.Dispose();

    [Fact]
    public void SetDesired_NewVip_BoundAndAnnouncedBeforeReturning()
    {
        _announcer.SetDesired([Web()]);

        Assert.True(_kernel.Has(Vip4));
        Assert.Equal([0.0], _wire.TimesMs(Vip4));
        Assert.Equal(["web"], _announcer.Held);
        Assert.Equal(AnnouncerEventKind.Acquired, Assert.Single(_events).Kind);
        Assert.Equal(1, _kernel.ApplyCalls);
    }

    [Fact]
    public void SetDesired_SilentPolicy_BoundOnLoWithNoAnnouncementEver()
    {
        _kernel.AddLink(1, "lo");
        var bgp = new OwnedVip("bgp", new VipBinding(IPAddress.Parse("198.51.100.7"), 32, "lo"), AnnouncementPolicy.Silent);

        _announcer.SetDesired([bgp]);
        AdvanceInSteps(TimeSpan.FromSeconds(70), TimeSpan.FromMilliseconds(50));
        _announcer.Reannounce("bgp");

        Assert.True(_kernel.Has(IPAddress.Parse("198.51.100.7")));
        Assert.Equal(["bgp"], _announcer.Held);
        Assert.Empty(_wire.TimesMs(IPAddress.Parse("198.51.100.7")));
        _announcer.SetDesired([]);
        Assert.False(_kernel.Has(IPAddress.Parse("198.51.100.7")));
    }

    [Fact]
    public void Release_SilentVip_HeldBeforeItsAddressGoesThenHoldEndsAfterWithdrawalHold()
    {
        var lo = _kernel.AddLink(1, "lo");
        var address = IPAddress.Parse("198.51.100.7");
        var bgp = new OwnedVip("bgp", new VipBinding(address, 32, "lo"), AnnouncementPolicy.Silent);
        _announcer.SetDesired([bgp]);
        var heldWhenRemoved = new List<bool>();
        _kernel.Fail = change =>
        {
            if (change.Kind == AddressChangeKind.Remove)
            {
                heldWhenRemoved.Add(_kernel.ListHolds().Contains(new AddressHold(lo.Index, address)));
            }

            return null;
        };

        _announcer.SetDesired([]);

        // The hold came first: the address was removed (the withdrawal) while the VIP's traffic was still accepted.
        Assert.False(_kernel.Has(address));
        Assert.Equal([true], heldWhenRemoved);
        Assert.True(_announcer.Holding);
        _time.Advance(Announcer.WithdrawalHold - TimeSpan.FromMilliseconds(1));
        Assert.Equal([new AddressHold(lo.Index, address)], _kernel.Holds);
        _time.Advance(TimeSpan.FromMilliseconds(2));
        Assert.Empty(_kernel.Holds);
        Assert.False(_announcer.Holding);
        Assert.Equal(["+198.51.100.7", "-198.51.100.7"], _kernel.HoldChanges);
    }

    [Fact]
    public void Release_L2VipOrOperatorsAddress_NoHold()
    {
        _kernel.AddLink(1, "lo");
        _kernel.AddOperatorAddress(1, IPAddress.Parse("198.51.100.8"), 32);
        var operators = new OwnedVip("ops", new VipBinding(IPAddress.Parse("198.51.100.8"), 32, "lo"), AnnouncementPolicy.Silent);
        _announcer.SetDesired([Web(), operators]);

        _announcer.SetDesired([]);

        Assert.False(_kernel.Has(Vip4));
        Assert.True(_kernel.Has(IPAddress.Parse("198.51.100.8"), addedByVipd: false));
        Assert.Empty(_kernel.HoldChanges);
        Assert.False(_announcer.Holding);
    }

    [Fact]
    public void Release_SilentVipTwiceWithinTheHold_OneHoldUntilTheLastReleasePlusWithdrawalHold()
    {
        var lo = _kernel.AddLink(1, "lo");
        var address = IPAddress.Parse("198.51.100.7");
        var bgp = new OwnedVip("bgp", new VipBinding(address, 32, "lo"), AnnouncementPolicy.Silent);
        _announcer.SetDesired([bgp]);
        _announcer.SetDesired([]);
        _time.Advance(TimeSpan.FromMilliseconds(600));
        _announcer.SetDesired([bgp]);
        Assert.True(_kernel.Has(address));
        _announcer.SetDesired([]);

        _time.Advance(Announcer.WithdrawalHold - TimeSpan.FromMilliseconds(1));
        Assert.Equal([new AddressHold(lo.Index, address)], _kernel.Holds);
        _time.Advance(TimeSpan.FromMilliseconds(2));
        Assert.Empty(_kernel.Holds);
    }

    [Fact]
    public void CleanupAll_LeftoverHold_Removed_AndDisposeEndsHoldsInPlace()
    {
        var lo = _kernel.AddLink(1, "lo");
        _kernel.AddLeftoverHold(new AddressHold(lo.Index, IPAddress.Parse("198.51.100.9")));
        Assert.Equal(0, _announcer.CleanupAll());
        Assert.Empty(_kernel.Holds);

        var bgp = new OwnedVip("bgp", new VipBinding(IPAddress.Parse("2001:db8::7"), 128, "lo"), AnnouncementPolicy.Silent);
        _announcer.SetDesired([bgp]);
        _announcer.SetDesired([]);
        Assert.Single(_kernel.Holds);
        _announcer.Dispose();
        Assert.Empty(_kernel.Holds);
    }

    [Fact]
    public void SetDesired_DefaultPolicy_ExactBurstAndRefreshTimes()
    {
        _announcer.SetDesired([Web()]);

        AdvanceInSteps(TimeSpan.FromSeconds(123), TimeSpan.FromMilliseconds(10));

        Assert.Equal([0, 50, 100, 2000, 2050, 62050, 122050], _wire.TimesMs(Vip4));
    }

    [Fact]
    public void SetDesired_ManyVips_OneBatchAndAllAnnouncedAtOnce()
    {
        var vips = Enumerable.Range(1, 100)
            .Select(i => new OwnedVip($"v{i}", new VipBinding(IPAddress.Parse($"198.51.100.{i}"), 32, "eth0"), AnnouncementPolicy.Default))
            .ToList();

        _announcer.SetDesired(vips);

        Assert.Equal(1, _kernel.ApplyCalls);
        Assert.Equal(100, _wire.Sent.Count);
        Assert.Equal(100, _announcer.Held.Count);
    }

    [Fact]
    public void SetDesired_SameSetTwice_NoOp()
    {
        _announcer.SetDesired([Web()]);
        _events.Clear();

        _announcer.SetDesired([Web()]);

        Assert.Equal(1, _kernel.ApplyCalls);
        Assert.Single(_wire.Sent);
        Assert.Empty(_events);
    }

    [Fact]
    public void SetDesired_Empty_RemovesReleasesAndStopsAnnouncing()
    {
        _announcer.SetDesired([Web()]);
        _events.Clear();

        _announcer.SetDesired([]);
        _time.Advance(TimeSpan.FromSeconds(130));

        Assert.False(_kernel.Has(Vip4));
        Assert.Empty(_announcer.Held);
        Assert.Single(_wire.Sent);
        Assert.Equal(AnnouncerEventKind.Released, Assert.Single(_events).Kind);
        Assert.Empty(_conflicts.Watched);
    }

    [Fact]
    public void SetDesired_OperatorHasVip_HeldAnnouncedNeverRemoved()
    {
        _kernel.AddOperatorAddress(2, Vip4, 24);

        _announcer.SetDesired([Web()]);
        _announcer.SetDesired([]);
        _time.Advance(TimeSpan.FromSeconds(31));

        Assert.True(_kernel.Has(Vip4, addedByVipd: false));
        Assert.False(_kernel.Has(Vip4, addedByVipd: true));
        Assert.Single(_wire.Sent);
        Assert.Equal(0, _kernel.ApplyCalls);
    }

    [Fact]
    public void SetDesired_OperatorAddressOnSameInterface_SurvivesEveryReconcile()
    {
        _announcer.SetDesired([Web()]);
        _announcer.SetDesired([Web6()]);
        _announcer.SetDesired([]);
        _announcer.CleanupAll();

        Assert.True(_kernel.Has(NodeIp, addedByVipd: false));
        Assert.DoesNotContain(_kernel.Applied, c => c.Address.Equals(NodeIp));
    }

    [Fact]
    public void SetDesired_DuplicateName_Throws()
        => Assert.Throws<ArgumentException>(() => _announcer.SetDesired([Web(), Web()]));

    [Fact]
    public void AddressRemoved_ByHand_PutBackAndReannouncedAtOnce()
    {
        _announcer.SetDesired([Web()]);
        AdvanceInSteps(TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(10));
        _events.Clear();

        _kernel.DeleteByHand(Vip4);
        _monitor.Raise(new NetworkChange(NetworkChangeKind.AddressRemoved, 2, Vip4, 24));

        Assert.True(_kernel.Has(Vip4));
        Assert.Equal(AnnouncerEventKind.Repaired, Assert.Single(_events).Kind);
        Assert.Equal(10_000.0, _wire.TimesMs(Vip4)[^1]);
        AdvanceInSteps(TimeSpan.FromMilliseconds(150), TimeSpan.FromMilliseconds(10));
        Assert.Equal([10_000.0, 10_050, 10_100], _wire.TimesMs(Vip4).Skip(5));
        Assert.Equal(1, _announcer.Counters.Repairs);
    }

    [Fact]
    public void AddressRemoved_PutBackFails_ReleasedWithReasonThenAcquiredOnRetry()
    {
        _announcer.SetDesired([Web()]);
        _events.Clear();
        _kernel.Fail = _ => "EPERM";

        _kernel.DeleteByHand(Vip4);
        _monitor.Raise(new NetworkChange(NetworkChangeKind.AddressRemoved, 2, Vip4, 24));

        Assert.Empty(_announcer.Held);
        Assert.Equal([AnnouncerEventKind.Released, AnnouncerEventKind.Error], _events.Select(e => e.Kind));
        Assert.Contains("EPERM", _events[0].Message, StringComparison.Ordinal);
        _kernel.Fail = null;
        _time.Advance(Announcer.RetryInitial);
        Assert.Equal(["web"], _announcer.Held);
        Assert.Equal(AnnouncerEventKind.Acquired, _events[^1].Kind);
    }

    [Fact]
    public void AddressRemoved_NotDesired_Ignored()
    {
        _announcer.SetDesired([Web()]);
        _events.Clear();

        _monitor.Raise(new NetworkChange(NetworkChangeKind.AddressRemoved, 2, IPAddress.Parse("192.0.2.201"), 24));
        _monitor.Raise(new NetworkChange(NetworkChangeKind.AddressRemoved, 2, Vip4, 32));

        Assert.Empty(_events);
        Assert.Single(_wire.Sent);
    }

    [Fact]
    public void Resync_DadFailed_RemovedReaddedAndRepaired()
    {
        _announcer.SetDesired([Web6()]);
        _time.Advance(TimeSpan.FromSeconds(10));
        _kernel.SetFlags(Vip6, AddressFlags.DadFailed);
        _events.Clear();

        _time.Advance(Announcer.ResyncInterval);

        Assert.Contains(new AddressChange(AddressChangeKind.Remove, 2, Vip6, 64), _kernel.Applied);
        Assert.Equal(AddressFlags.Permanent | AddressFlags.NoDad, _kernel.ListAddresses().Single(a => a.Address.Equals(Vip6)).Flags);
        Assert.Equal(AnnouncerEventKind.Repaired, Assert.Single(_events).Kind);
        Assert.Equal(40_000.0, _wire.TimesMs(Vip6)[^1]);

        // The kernel's notification of vipd's own removal is not a removal by hand.
        _monitor.Raise(new NetworkChange(NetworkChangeKind.AddressRemoved, 2, Vip6, 64));
        Assert.Single(_events);
    }

    [Fact]
    public void SetDesired_AddFails_ErrorThenRetriedWithBackoff()
    {
        var failures = 3;
        _kernel.Fail = c => c.Kind == AddressChangeKind.Add && failures-- > 0 ? "EPERM: Operation not permitted" : null;

        _announcer.SetDesired([Web()]);

        var error = Assert.Single(_events);
        Assert.Equal(AnnouncerEventKind.Error, error.Kind);
        Assert.Contains("EPERM", error.Message, StringComparison.Ordinal);
        Assert.Empty(_announcer.Held);

        // Retries after 100 ms, then 200 ms more, then 400 ms more: the third retry succeeds at 700 ms.
        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(1, failures);
        _time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal(0, failures);
        _time.Advance(TimeSpan.FromMilliseconds(399));
        Assert.Empty(_announcer.Held);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(["web"], _announcer.Held);
        Assert.Equal([700.0], _wire.TimesMs(Vip4));
        Assert.Equal(AnnouncerEventKind.Acquired, _events[^1].Kind);
        Assert.Single(_events, e => e.Kind == AnnouncerEventKind.Error);
        Assert.Equal(3, _announcer.Counters.Errors);
    }

    [Fact]
    public void SetDesired_ListFails_ErrorRetriedAndBackoffResets()
    {
        _kernel.ListFailure = new InvalidOperationException("ENOBUFS");

        _announcer.SetDesired([Web()]);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        _time.Advance(TimeSpan.FromMilliseconds(200));
        _kernel.ListFailure = null;
        _time.Advance(TimeSpan.FromMilliseconds(399));
        Assert.Empty(_announcer.Held);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(["web"], _announcer.Held);
        Assert.Equal(3, _events.Count(e => e.Kind == AnnouncerEventKind.Error));
        Assert.Contains("ENOBUFS", _events[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SetDesired_ApplyThrows_OneErrorPerVipAndOneForTheBatchThenRetried()
    {
        _announcer.SetDesired([Web()]);
        _kernel.ApplyFailure = new InvalidOperationException("ENOBUFS: No buffer space available");
        _events.Clear();

        _announcer.SetDesired([Web6()]);

        Assert.Equal(2, _events.Count(e => e.Kind == AnnouncerEventKind.Error));
        Assert.Equal("web6", _events.Single(e => e.Kind == AnnouncerEventKind.Error && e.Name is not null).Name);
        Assert.True(_kernel.Has(Vip4));
        _kernel.ApplyFailure = null;
        _time.Advance(Announcer.RetryInitial);
        Assert.False(_kernel.Has(Vip4));
        Assert.Equal(["web6"], _announcer.Held);
    }

    [Fact]
    public void SetDesired_MissingInterface_OneErrorThenBoundWhenItAppears()
    {
        var vip = new OwnedVip("web", new VipBinding(Vip4, 24, "eth9"), AnnouncementPolicy.Default);

        _announcer.SetDesired([vip]);
        _time.Advance(TimeSpan.FromSeconds(60));

        var error = Assert.Single(_events);
        Assert.Equal(AnnouncerEventKind.Error, error.Kind);
        Assert.Equal("interface eth9 not found", error.Message);
        Assert.Empty(_announcer.Held);

        _kernel.AddLink(9, "eth9");
        _monitor.Raise(new NetworkChange(NetworkChangeKind.LinkChanged, 9, LinkUp: true));

        Assert.Equal(["web"], _announcer.Held);
        Assert.Equal(AnnouncerEventKind.Acquired, _events[^1].Kind);
        Assert.Single(_wire.Sent);
    }

    [Fact]
    public void LinkDown_NoAnnouncements_LinkUp_FreshBurst()
    {
        _announcer.SetDesired([Web()]);
        _kernel.AddLink(2, "eth0", up: false);
        _monitor.Raise(new NetworkChange(NetworkChangeKind.LinkChanged, 2, LinkUp: false));

        _time.Advance(TimeSpan.FromSeconds(100));
        Assert.Equal([0.0], _wire.TimesMs(Vip4));
        Assert.Equal(["web"], _announcer.Held);

        _kernel.AddLink(2, "eth0", up: true);
        _monitor.Raise(new NetworkChange(NetworkChangeKind.LinkChanged, 2, LinkUp: true));
        AdvanceInSteps(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(10));

        Assert.Equal([0.0, 100_000, 100_050, 100_100], _wire.TimesMs(Vip4));
    }

    [Fact]
    public void SetDesired_DownLink_AddedButAnnouncedOnlyWhenUp()
    {
        _kernel.AddLink(3, "eth1", up: false);
        var vip = new OwnedVip("web", new VipBinding(Vip4, 24, "eth1"), AnnouncementPolicy.Default);

        _announcer.SetDesired([vip]);

        Assert.True(_kernel.Has(Vip4));
        Assert.Empty(_wire.Sent);
        _kernel.AddLink(3, "eth1", up: true);
        _monitor.Raise(new NetworkChange(NetworkChangeKind.LinkChanged, 0));
        Assert.Single(_wire.Sent);
    }

    [Fact]
    public void LinkRemoved_VipUnbound_RecreatedInterfaceRebinds()
    {
        _announcer.SetDesired([Web()]);
        _kernel.RemoveLink(2);
        _monitor.Raise(new NetworkChange(NetworkChangeKind.LinkRemoved, 2));
        Assert.Empty(_announcer.Held);
        Assert.Equal(
            [AnnouncerEventKind.Acquired, AnnouncerEventKind.Released, AnnouncerEventKind.Error],
            _events.Select(e => e.Kind));
        Assert.Equal("interface eth0 not found", _events[1].Message);

        _kernel.AddLink(7, "eth0");
        _monitor.Raise(new NetworkChange(NetworkChangeKind.LinkChanged, 7, LinkUp: true));

        Assert.Equal(["web"], _announcer.Held);
        Assert.Equal(AnnouncerEventKind.Acquired, _events[^1].Kind);
        Assert.Equal(7, _wire.Sent[^1].Link.Index);
        Assert.Contains(_conflicts.Watched, h => h.Link.Index == 7);
    }

    [Fact]
    public void Conflict_HeldVip_ReannouncedRateLimited()
    {
        _announcer.SetDesired([Web()]);
        _time.Advance(TimeSpan.FromSeconds(10));
        _events.Clear();
        var conflict = new AddressConflict(Vip4, 2, Foreign, ConflictKind.ArpReply);

        _conflicts.Raise(conflict);
        Assert.Equal(10_000.0, _wire.TimesMs(Vip4)[^1]);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        var afterFirst = _wire.Sent.Count;
        _conflicts.Raise(conflict);
        Assert.Equal(afterFirst, _wire.Sent.Count);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        _conflicts.Raise(conflict);

        Assert.Equal(11_000.0, _wire.TimesMs(Vip4)[^1]);
        Assert.Equal(2, _events.Count(e => e.Kind == AnnouncerEventKind.Conflict));
        Assert.Contains("02:00:00:00:00:99", _events[0].Message, StringComparison.Ordinal);
        Assert.Equal(new AnnouncerCounters(_wire.Sent.Count, _announcer.Counters.Reconciles, 1, 0, 0, 3, 1, 0), _announcer.Counters);
    }

    [Fact]
    public void Conflict_HandingOver_NotAnswered()
    {
        var handingOver = false;
        _announcer.Defends = vip => vip != "web" || !handingOver;
        _announcer.SetDesired([Web()]);
        _time.Advance(TimeSpan.FromSeconds(10));
        _events.Clear();
        var sent = _wire.Sent.Count;

        // The successor's gratuitous ARP while this node drains: not fought, or clients would come back here.
        handingOver = true;
        _conflicts.Raise(new AddressConflict(Vip4, 2, Foreign, ConflictKind.ArpRequest));
        Assert.Equal(sent, _wire.Sent.Count);
        Assert.Empty(_events);

        // The owner again (the handover was called off): the same claim is answered.
        handingOver = false;
        _conflicts.Raise(new AddressConflict(Vip4, 2, Foreign, ConflictKind.ArpRequest));
        Assert.True(_wire.Sent.Count > sent);
        Assert.Single(_events, e => e.Kind == AnnouncerEventKind.Conflict);
    }

    [Fact]
    public void Conflict_NotHeld_Ignored()
    {
        _conflicts.Raise(new AddressConflict(Vip4, 2, Foreign, ConflictKind.ArpRequest));

        Assert.Empty(_events);
        Assert.Empty(_wire.Sent);
    }

    [Fact]
    public void Reannounce_Held_FreshBurst()
    {
        _announcer.SetDesired([Web()]);
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.True(_announcer.Reannounce("web"));
        Assert.False(_announcer.Reannounce("other"));
        Assert.Equal(5_000.0, _wire.TimesMs(Vip4)[^1]);
    }

    [Fact]
    public void Announce_Throws_ErrorCountedScheduleContinues()
    {
        _wire.Failure = new InvalidOperationException("ENETDOWN");

        _announcer.SetDesired([Web()]);
        _wire.Failure = null;
        AdvanceInSteps(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(10));

        Assert.Equal([50.0, 100], _wire.TimesMs(Vip4));
        Assert.Equal(1, _announcer.Counters.Errors);
        Assert.Contains(_events, e => e.Kind == AnnouncerEventKind.Error && e.Message!.Contains("ENETDOWN", StringComparison.Ordinal));
    }

    [Fact]
    public void Changed_HandlerThrows_CountedNotPropagated()
    {
        _announcer.Changed += _ => throw new InvalidOperationException("bad handler");

        _announcer.SetDesired([Web()]);

        Assert.Equal(1, _announcer.Counters.Errors);
        Assert.Equal(["web"], _announcer.Held);
    }

    [Fact]
    public void CleanupAll_RemovesOnlyVipdAddresses()
    {
        _announcer.SetDesired([Web(), Web6()]);
        _kernel.Apply([new AddressChange(AddressChangeKind.Add, 2, IPAddress.Parse("203.0.113.5"), 32)]); // a predecessor's
        _events.Clear();

        var removed = _announcer.CleanupAll();

        Assert.Equal(3, removed);
        Assert.Equal([NodeIp], _kernel.ListAddresses().Select(a => a.Address));
        Assert.Empty(_announcer.Held);
        Assert.Equal(2, _events.Count(e => e.Kind == AnnouncerEventKind.Released));
        _time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(2, _wire.Sent.Count);
    }

    [Fact]
    public void CleanupAll_RemovalFails_Throws()
    {
        _kernel.Apply([new AddressChange(AddressChangeKind.Add, 2, IPAddress.Parse("203.0.113.5"), 32)]);
        _kernel.Fail = _ => "EPERM";

        var ex = Assert.Throws<InvalidOperationException>(() => _announcer.CleanupAll());

        Assert.Contains("EPERM", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SetDesired_Held_ConflictMonitorWatchesIt()
    {
        _announcer.SetDesired([Web(), Web6()]);

        Assert.Equal(2, _conflicts.Watched.Count);
        Assert.All(_conflicts.Watched, h => Assert.Equal(_eth0, h.Link));
    }

    [Fact]
    public void SetDesired_BindingChanged_OldRemovedNewAdded()
    {
        _announcer.SetDesired([Web()]);

        _announcer.SetDesired([Web() with { Binding = new VipBinding(Vip4, 32, "eth0") }]);

        Assert.Equal([AnnouncerEventKind.Acquired, AnnouncerEventKind.Released, AnnouncerEventKind.Acquired], _events.Select(e => e.Kind));
        Assert.Equal(32, _kernel.ListAddresses().Single(a => a.Address.Equals(Vip4)).PrefixLength);
        _monitor.Raise(new NetworkChange(NetworkChangeKind.AddressRemoved, 2, Vip4, 24));
        Assert.Equal(3, _events.Count);
    }

    [Fact]
    public void Callbacks_ConcurrentThreads_ConsistentAndNeverThrow()
    {
        var vips = Enumerable.Range(1, 20)
            .Select(i => new OwnedVip($"v{i}", new VipBinding(IPAddress.Parse($"198.51.100.{i}"), 32, "eth0"), AnnouncementPolicy.Default))
            .ToList();
        var threads = new List<Thread>
        {
            new(() =>
            {
                for (var i = 0; i < 200; i++)
                {
                    _announcer.SetDesired(i % 2 == 0 ? vips : vips.Take(10).ToList());
                }
            }),
            new(() =>
            {
                for (var i = 0; i < 200; i++)
                {
                    var address = IPAddress.Parse($"198.51.100.{(i % 20) + 1}");
                    _kernel.DeleteByHand(address);
                    _monitor.Raise(new NetworkChange(NetworkChangeKind.AddressRemoved, 2, address, 32));
                }
            }),
            new(() =>
            {
                for (var i = 0; i < 200; i++)
                {
                    _conflicts.Raise(new AddressConflict(IPAddress.Parse($"198.51.100.{(i % 20) + 1}"), 2, Foreign, ConflictKind.ArpReply));
                    _monitor.Raise(new NetworkChange(NetworkChangeKind.LinkChanged, 0));
                }
            }),
        };

        threads.ForEach(t => t.Start());
        threads.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(20))));
        _announcer.SetDesired(vips);
        _time.Advance(Announcer.ResyncInterval);

        Assert.Equal(20, _announcer.Held.Count);
        Assert.All(vips, v => Assert.True(_kernel.Has(v.Binding.Address)));
        Assert.Equal(0, _announcer.Counters.Errors);
    }

    [Fact]
    public void Dispose_LaterCallbacksAndTimers_DoNothing()
    {
        _announcer.SetDesired([Web()]);

        _announcer.Dispose();
        _kernel.DeleteByHand(Vip4);
        _monitor.Raise(new NetworkChange(NetworkChangeKind.AddressRemoved, 2, Vip4, 24));
        _conflicts.Raise(new AddressConflict(Vip4, 2, Foreign, ConflictKind.ArpReply));
        _time.Advance(TimeSpan.FromSeconds(120));

        Assert.False(_kernel.Has(Vip4));
        Assert.Single(_wire.Sent);
        Assert.Throws<ObjectDisposedException>(() => _announcer.SetDesired([]));
    }

    [Fact]
    public void SetDesired_PolicyChangedOnly_NoNewBurstNewTimingAfterwards()
    {
        _announcer.SetDesired([Web()]);
        AdvanceInSteps(TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(10));
        var fast = AnnouncementPolicy.Default with { RefreshInterval = TimeSpan.FromSeconds(10) };

        _announcer.SetDesired([Web() with { Policy = fast }]);
        AdvanceInSteps(TimeSpan.FromSeconds(70), TimeSpan.FromMilliseconds(10));

        // The pending refresh (at 62,050 ms) was scheduled under the old policy; later ones follow the new one.
        Assert.Equal([0, 50, 100, 2000, 2050, 62050, 72050], _wire.TimesMs(Vip4));
        Assert.Single(_events);
    }

    private static OwnedVip Web() => new("web", new VipBinding(Vip4, 24, "eth0"), AnnouncementPolicy.Default);

    private static OwnedVip Web6() => new("web6", new VipBinding(Vip6, 64, "eth0"), AnnouncementPolicy.Default);

    private void AdvanceInSteps(TimeSpan total, TimeSpan step)
    {
        for (var at = TimeSpan.Zero; at < total; at += step)
        {
            _time.Advance(step);
        }
    }
}
