using Microsoft.Extensions.Time.Testing;
using Vipd.Api;
using Vipd.Api.V1;

namespace Vipd.Tests.Api;

public sealed class EventHubTests
{
    private static WatchEvent Ownership(string vip) => new() { Ownership = new OwnershipEvent { Vip = vip } };

    private static List<WatchEvent> Drain(Watcher watcher)
    {
        var events = new List<WatchEvent>();
        while (watcher.Reader.TryRead(out var item))
        {
            events.Add(item);
        }

        return events;
    }

    [Fact]
    public void Subscribe_EventsBeforeAndAfter_SnapshotFirstThenOnlyLaterEventsWithConsecutiveSequences()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var hub = new EventHub(time);
        hub.Publish(Ownership("before"));

        var watcher = hub.Subscribe(() => new Snapshot { Status = new GetStatusResponse { Node = "n1" } })!;
        time.Advance(TimeSpan.FromSeconds(1));
        hub.Publish(Ownership("a"));
        hub.Publish(new WatchEvent { Mode = new ModeEvent { Mode = NodeMode.Drained } });
        var events = Drain(watcher);

        Assert.Equal(3, events.Count);
        Assert.Equal(WatchEvent.EventOneofCase.Snapshot, events[0].EventCase);
        Assert.Equal("n1", events[0].Snapshot.Status.Node);
        Assert.Equal(2ul, events[0].Sequence);
        Assert.Equal([3ul, 4ul], events.Skip(1).Select(e => e.Sequence));
        Assert.Equal("a", events[1].Ownership.Vip);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 6, TimeSpan.Zero), events[1].Time.ToDateTimeOffset());
    }

    [Fact]
    public void Publish_ConcurrentPublishers_EveryWatcherSeesTheSameConsecutiveOrder()
    {
        var hub = new EventHub(new FakeTimeProvider());
        var first = hub.Subscribe(() => new Snapshot())!;
        var second = hub.Subscribe(() => new Snapshot())!;

        Parallel.For(0, 4, thread =>
        {
            for (var i = 0; i < 250; i++)
            {
                hub.Publish(Ownership($"t{thread}-{i}"));
            }
        });
        var a = Drain(first).Skip(1).ToList();
        var b = Drain(second).Skip(1).ToList();

        Assert.Equal(1000, a.Count);
        Assert.Equal(a.Select(e => e.Ownership.Vip), b.Select(e => e.Ownership.Vip));
        for (var i = 1; i < a.Count; i++)
        {
            Assert.Equal(a[i - 1].Sequence + 1, a[i].Sequence);
        }

        // Each publisher's own events keep their order.
        for (var thread = 0; thread < 4; thread++)
        {
            var mine = a.Select(e => e.Ownership.Vip).Where(v => v.StartsWith($"t{thread}-", StringComparison.Ordinal)).ToList();
            Assert.Equal(Enumerable.Range(0, 250).Select(i => $"t{thread}-{i}"), mine);
        }
    }

    [Fact]
    public async Task Publish_SlowWatcher_CutOffWithoutBlockingOthers()
    {
        var hub = new EventHub(new FakeTimeProvider(), capacity: 8);
        var slow = hub.Subscribe(() => new Snapshot())!;
        var fast = hub.Subscribe(() => new Snapshot())!;
        Drain(fast);

        for (var i = 0; i < 20; i++)
        {
            hub.Publish(Ownership($"v{i}"));
            Drain(fast);
        }

        Assert.True(slow.Overflowed);
        Assert.False(fast.Overflowed);
        Assert.Equal(1, hub.WatcherCount);
        await Assert.ThrowsAsync<WatcherOverflowException>(async () =>
        {
            await foreach (var _ in slow.Reader.ReadAllAsync())
            {
            }
        });
    }

    [Fact]
    public void Unsubscribe_Watcher_NoMoreEventsAndStreamEnds()
    {
        var hub = new EventHub(new FakeTimeProvider());
        var watcher = hub.Subscribe(() => new Snapshot())!;

        hub.Unsubscribe(watcher);
        hub.Publish(Ownership("late"));

        Assert.Single(Drain(watcher));
        Assert.True(watcher.Reader.Completion.IsCompleted);
        Assert.Equal(0, hub.WatcherCount);
    }

    [Fact]
    public void Subscribe_MaxWatchersOpen_FurtherRefusedUntilOneLeaves()
    {
        var hub = new EventHub(TimeProvider.System);
        var open = Enumerable.Range(0, EventHub.MaxWatchers).Select(_ => hub.Subscribe(() => new Snapshot())!).ToList();

        Assert.Null(hub.Subscribe(() => new Snapshot()));
        Assert.Equal(EventHub.MaxWatchers, hub.WatcherCount);
        hub.Unsubscribe(open[0]);
        Assert.NotNull(hub.Subscribe(() => new Snapshot()));
    }
}
