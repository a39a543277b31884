using Google.Protobuf.WellKnownTypes;
using Vipd.Api.V1;

namespace Vipd.Api;

/// <summary>
/// Fans the daemon's events out to Watch streams. One lock orders everything: each event gets the next sequence
/// number and goes to every watcher in that order; a new watcher's snapshot is taken under the same lock, so it sees
/// exactly the events after its snapshot. Each watcher has a bounded queue: a client that falls
/// <see cref="Capacity"/> events behind is cut off (its stream ends with RESOURCE_EXHAUSTED) rather than slowing the
/// daemon or growing its memory.
/// </summary>
internal sealed class EventHub
{
    /// <summary>Default queue length per watcher: a burst of a few hundred VIP changes fits.</summary>
    public const int DefaultCapacity = 4096;

    /// <summary>
    /// Watch streams open at once: each holds a queue of up to <see cref="Capacity"/> events, so a caller opening streams
    /// without end would grow the daemon's memory. A further Watch is refused with RESOURCE_EXHAUSTED.
    /// </summary>
    public const int MaxWatchers = 64;

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly List<Watcher> _watchers = [];
    private ulong _sequence;

    public EventHub(TimeProvider time, int capacity = DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _time = time;
        Capacity = capacity;
    }

    /// <summary>Events a watcher may have queued before it is cut off.</summary>
    public int Capacity { get; }

    /// <summary>Watchers connected now.</summary>
    public int WatcherCount
    {
        get
        {
            lock (_lock)
            {
                return _watchers.Count;
            }
        }
    }

    /// <summary>Stamps <paramref name="change"/> with the next sequence number and the time, and queues it for every watcher.</summary>
    public void Publish(WatchEvent change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_lock)
        {
            change.Sequence = ++_sequence;
            change.Time = Timestamp.FromDateTimeOffset(_time.GetUtcNow());
            for (var i = _watchers.Count - 1; i >= 0; i--)
            {
                if (!_watchers[i].TryQueue(change))
                {
                    _watchers[i].Overflow();
                    _watchers.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>
    /// A new watcher whose first event is the snapshot <paramref name="snapshot"/> builds (under the hub's lock); null
    /// when <see cref="MaxWatchers"/> streams are open already.
    /// </summary>
    public Watcher? Subscribe(Func<Snapshot> snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        lock (_lock)
        {
            if (_watchers.Count >= MaxWatchers)
            {
                return null;
            }

            var watcher = new Watcher(Capacity);
            var first = new WatchEvent
            {
                Sequence = ++_sequence,
                Time = Timestamp.FromDateTimeOffset(_time.GetUtcNow()),
                Snapshot = snapshot(),
            };
            watcher.TryQueue(first);
            _watchers.Add(watcher);
            return watcher;
        }
    }

    /// <summary>Stops delivering to <paramref name="watcher"/> (its stream ended).</summary>
    public void Unsubscribe(Watcher watcher)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        lock (_lock)
        {
            _watchers.Remove(watcher);
        }

        watcher.Close();
    }
}
