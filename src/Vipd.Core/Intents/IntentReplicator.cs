using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vipd.Core.Membership;

namespace Vipd.Core.Intents;

/// <summary>
/// Spreads the <see cref="IntentStore"/> to every node through the gossip (membership user messages, sealed like all
/// gossip): a local change is pushed at once to every live member (within <see cref="IntentOptions.PushBudget"/>
/// datagrams, else to random ones), and a node that takes a newer entry forwards it once to
/// <see cref="IntentOptions.ForwardFanout"/> random peers; every <see cref="IntentOptions.AntiEntropyInterval"/>
/// each node that holds entries sends a 12-byte summary (hash and count of its (key, version) digest) to one random
/// live peer (an empty store sends none: it learns from the others' rounds), and
/// a peer whose summary differs answers with its digest, both sides ask for what the other has newer and send what
/// they have newer. Entries larger than a datagram are sent in fragments and reassembled within bounds
/// (<see cref="IntentOptions.MaxEntryBytes"/>, <see cref="IntentOptions.MaxReassemblyBytes"/>); a fragment lost is
/// filled in by a later resend. Malformed or invalid data is dropped and counted in <see cref="Counters"/>.
/// <para>
/// Received messages and local changes are queued and handled on the replicator's own timer callback, never on the
/// membership's delivery thread nor under the store's lock, so <see cref="IntentStore.Changed"/> handlers may call
/// into the membership and the cluster node without lock-order cycles.
/// </para>
/// </summary>
public sealed partial class IntentReplicator : IDisposable
{
    private static readonly TimeSpan DrainDelay = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan MemberSyncSpacing = TimeSpan.FromMilliseconds(100);
    private readonly Lock _lock = new();
    private readonly IntentStore _store;
    private readonly SwimMembership _membership;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly ILogger _logger;
    private readonly IntentOptions _options;
    private readonly Queue<(byte[] Payload, IPEndPoint From)> _inbox = new();
    private readonly SortedDictionary<IntentKey, bool> _pushes = [];
    private readonly Dictionary<(IntentKey Key, IntentVersion Version), Partial> _partials = [];
    private readonly HashSet<string> _live = new(StringComparer.Ordinal);
    private readonly List<IPEndPoint> _syncs = [];
    private long _lastMemberSync = long.MinValue;
    private ITimer? _antiEntropyTimer;
    private ITimer? _drainTimer;
    private bool _drainScheduled;
    private bool _started;
    private bool _disposed;
    private int _partialBytes;
    private long _lastDropLog = long.MinValue;
    private long _suppressedDrops;

    /// <summary>Creates a stopped replicator; <see cref="Start"/> begins.</summary>
    public IntentReplicator(IntentStore store, SwimMembership membership, TimeProvider time, Random random, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(membership);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(random);
        _store = store;
        _membership = membership;
        _time = time;
        _random = random;
        _options = store.Options;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>What was sent, received, merged and dropped.</summary>
    public IntentReplicationCounters Counters { get; } = new();

    /// <summary>Subscribes to the store and the membership and starts the anti-entropy rounds.</summary>
    public void Start()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started)
            {
                throw new InvalidOperationException("The replicator is already started.");
            }

            _started = true;
            _drainTimer = _time.CreateTimer(static s => ((IntentReplicator)s!).Drain(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _antiEntropyTimer = _time.CreateTimer(static s => ((IntentReplicator)s!).OnAntiEntropyTick(), this, NextRound(), Timeout.InfiniteTimeSpan);
        }

        _store.Changed += OnStoreChanged;
        _membership.UserMessageReceived += OnUserMessage;
        _membership.Changed += OnMemberChanged;
    }

    /// <summary>Starts an anti-entropy round now with one random live peer (after a join, in tests).</summary>
    public void SyncNow() => SendSummary();

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _antiEntropyTimer?.Dispose();
            _drainTimer?.Dispose();
            _inbox.Clear();
            _pushes.Clear();
            _syncs.Clear();
            _partials.Clear();
            _partialBytes = 0;
        }

        _store.Changed -= OnStoreChanged;
        _membership.UserMessageReceived -= OnUserMessage;
        _membership.Changed -= OnMemberChanged;
    }

    private void OnStoreChanged(IntentChange change)
    {
        if (!change.Local)
        {
            return;
        }

        var key = change.Kind == IntentChangeKind.DynamicVips
            ? new IntentKey(IntentKind.Source, change.Source!)
            : new IntentKey(IntentKind.Preference, change.Vip!);
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _pushes[key] = false;
            ScheduleDrainLocked();
        }
    }

    /// <summary>
    /// A peer that becomes live (joined, restarted, back from a partition) gets a summary at once, so both sides
    /// compare states without waiting for a random round; at most one such sync per 100 ms, so a healed partition
    /// that revives many members at once costs one message per node.
    /// </summary>
    private void OnMemberChanged(Member member)
    {
        if (member.Name == _membership.LocalName)
        {
            return;
        }

        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            if (!member.IsLive)
            {
                _live.Remove(member.Name);
                return;
            }

            if (!_live.Add(member.Name))
            {
                return;
            }

            var now = _time.GetTimestamp();
            if (_lastMemberSync != long.MinValue && _time.GetElapsedTime(_lastMemberSync, now) < MemberSyncSpacing)
            {
                return;
            }

            _lastMemberSync = now;
            _syncs.Add(member.Address);
            ScheduleDrainLocked();
        }
    }

    private void OnUserMessage(ReadOnlyMemory<byte> payload, IPEndPoint from)
    {
        Counters.RecordReceived(payload.Length);
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            // Bounded: a flood beyond this is dropped (the next anti-entropy round repairs what it carried).
            if (_inbox.Count >= 4096)
            {
                Counters.RecordEvicted();
                return;
            }

            _inbox.Enqueue((payload.ToArray(), from));
            ScheduleDrainLocked();
        }
    }

    private void ScheduleDrainLocked()
    {
        if (!_drainScheduled && _drainTimer is not null)
        {
            _drainScheduled = true;
            _drainTimer.Change(DrainDelay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Handles queued messages and pushes, with no lock held while merging or sending.</summary>
    private void Drain()
    {
        var stopped = false;
        try
        {
            while (true)
            {
                byte[]? payload = null;
                IPEndPoint? from = null;
                KeyValuePair<IntentKey, bool>[] pushes = [];
                IPEndPoint[] syncs = [];
                lock (_lock)
                {
                    if (_disposed)
                    {
                        stopped = true;
                        return;
                    }

                    if (_syncs.Count > 0)
                    {
                        syncs = [.. _syncs];
                        _syncs.Clear();
                    }
                    else if (_pushes.Count > 0)
                    {
                        pushes = [.. _pushes];
                        _pushes.Clear();
                    }
                    else if (_inbox.TryDequeue(out var item))
                    {
                        (payload, from) = item;
                    }
                    else
                    {
                        _drainScheduled = false;
                        stopped = true;
                        return;
                    }
                }

                if (syncs.Length > 0)
                {
                    var (hash, count) = _store.DigestSummary();
                    foreach (var peer in syncs)
                    {
                        Send(IntentMessageCodec.EncodeSummary(hash, (uint)count), peer);
                    }

                    continue;
                }

                if (pushes.Length > 0)
                {
                    var peers = LivePeers();
                    foreach (var (key, forward) in pushes)
                    {
                        try
                        {
                            foreach (var peer in PushTargets(key, forward, peers))
                            {
                                SendEntry(key, peer);
                            }
                        }
                        catch (Exception ex)
                        {
                            _logger.PushFailed(key.Name, ex);
                        }
                    }

                    continue;
                }

                try
                {
                    Handle(payload!, from!);
                }
                catch (Exception ex)
                {
                    _logger.ProcessingFailed(from!, ex);
                }
            }
        }
        catch (Exception ex)
        {
            // A timer callback must never throw (it would take the process down): log, and the finally re-arms.
            _logger.TimerFailed(ex);
        }
        finally
        {
            if (!stopped)
            {
                // Left by an exception (a bug, logged by the timer's owner): never leave the queue without a drain.
                lock (_lock)
                {
                    _drainScheduled = false;
                    if (!_disposed && (_inbox.Count > 0 || _pushes.Count > 0 || _syncs.Count > 0))
                    {
                        ScheduleDrainLocked();
                    }
                }
            }
        }
    }

    /// <summary>Queues a forward of an entry just taken from a peer (on the next drain).</summary>
    private void QueueForward(IntentKey key)
    {
        if (_options.ForwardFanout == 0)
        {
            return;
        }

        lock (_lock)
        {
            if (!_disposed)
            {
                _pushes.TryAdd(key, true);
                ScheduleDrainLocked();
            }
        }
    }

    /// <summary>Every peer when the push fits the budget, else random ones; a forward goes to ForwardFanout random ones.</summary>
    private List<IPEndPoint> PushTargets(IntentKey key, bool forward, List<IPEndPoint> peers)
    {
        int count;
        if (forward)
        {
            count = _options.ForwardFanout;
        }
        else
        {
            var length = _store.TryGetEncoded(key, out var version, out var deletedAt, out var value) ? value.Length : 0;
            var chunk = _membership.MaxUserMessageSize - IntentMessageCodec.FragmentOverhead(key, version, deletedAt is not null);
            var fragments = Math.Max(1, (length + chunk - 1) / chunk);
            count = peers.Count * fragments <= _options.PushBudget ? peers.Count : Math.Max(3, _options.PushBudget / fragments);
        }

        if (count >= peers.Count)
        {
            return peers;
        }

        var picked = new List<IPEndPoint>(count);
        lock (_lock)
        {
            var pool = new List<IPEndPoint>(peers);
            for (var i = 0; i < count; i++)
            {
                var index = _random.Next(pool.Count);
                picked.Add(pool[index]);
                pool[index] = pool[^1];
                pool.RemoveAt(pool.Count - 1);
            }
        }

        return picked;
    }

    private void OnAntiEntropyTick()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _antiEntropyTimer?.Change(NextRound(), Timeout.InfiniteTimeSpan);
            ExpirePartialsLocked();
        }

        try
        {
            SendSummary(skipWhenEmpty: true);
        }
        catch (Exception ex)
        {
            _logger.TimerFailed(ex);
        }
    }

    private TimeSpan NextRound() => _options.AntiEntropyInterval * (0.9 + (0.2 * _random.NextDouble()));

    /// <summary>
    /// Sends the summary to one random live peer. The periodic rounds skip it while this store holds nothing
    /// (<paramref name="skipWhenEmpty"/>): an empty store has nothing to give, and what it lacks reaches it from the
    /// nodes that hold entries, whose own rounds include it (a differing summary is answered with a digest either
    /// way). So an idle cluster without intents sends no anti-entropy at all.
    /// </summary>
    private void SendSummary(bool skipWhenEmpty = false)
    {
        var peers = LivePeers();
        if (peers.Count == 0)
        {
            return;
        }

        var (hash, count) = _store.DigestSummary();
        if (skipWhenEmpty && count == 0)
        {
            return;
        }

        IPEndPoint peer;
        lock (_lock)
        {
            peer = peers[_random.Next(peers.Count)];
        }

        Send(IntentMessageCodec.EncodeSummary(hash, (uint)count), peer);
    }

    private List<IPEndPoint> LivePeers()
    {
        var local = _membership.LocalName;
        var peers = new List<IPEndPoint>();
        foreach (var member in _membership.Members)
        {
            if (member.IsLive && member.Name != local)
            {
                peers.Add(member.Address);
            }
        }

        return peers;
    }

    private void Send(byte[] payload, IPEndPoint destination)
    {
        Counters.RecordSent(payload.Length);
        _membership.SendUserMessage(payload, destination);
    }

    private void Drop(IPEndPoint from, string reason)
    {
        if (!_logger.IsEnabled(LogLevel.Debug))
        {
            return;
        }

        var now = _time.GetTimestamp();
        lock (_lock)
        {
            if (_lastDropLog != long.MinValue && _time.GetElapsedTime(_lastDropLog, now) < TimeSpan.FromSeconds(1))
            {
                _suppressedDrops++;
                return;
            }

            _logger.Dropped(from, reason, _suppressedDrops);
            _suppressedDrops = 0;
            _lastDropLog = now;
        }
    }
}
