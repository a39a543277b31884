using System.Net;

namespace Vipd.Core.Intents;

/// <summary>Handling of received messages: digests, requests, fragments and their reassembly.</summary>
public sealed partial class IntentReplicator
{
    private void Handle(byte[] payload, IPEndPoint from)
    {
        switch (IntentMessageCodec.TryDecode(payload))
        {
            case IntentSummaryMessage summary:
                var (hash, count) = _store.DigestSummary();
                if (hash != summary.Hash || count != summary.Count)
                {
                    SendDigest(from, wantsDigest: true);
                }

                break;
            case IntentDigestMessage digest:
                HandleDigest(digest, from);
                break;
            case IntentRequestMessage request:
                // Each key once per request: repeating a key must not multiply what one datagram makes this node send.
                var answered = new HashSet<IntentKey>();
                foreach (var want in request.Wants)
                {
                    if (answered.Add(want.Key))
                    {
                        SendEntry(want.Key, from, want);
                    }
                }

                break;
            case IntentFragmentMessage fragment:
                HandleFragment(fragment, from);
                break;
            default:
                Counters.RecordMalformed();
                Drop(from, "malformed");
                break;
        }
    }

    private void HandleDigest(IntentDigestMessage digest, IPEndPoint from)
    {
        var wanted = new List<IntentWant>();
        foreach (var (key, version) in digest.Entries)
        {
            var ours = _store.VersionOf(key);
            if (ours is null || ours.Value < version)
            {
                wanted.Add(Want(key, version));
            }
            else if (ours.Value > version)
            {
                SendEntry(key, from);
            }
        }

        SendRequests(wanted, from);
        if (digest.WantsDigest)
        {
            SendDigest(from, wantsDigest: false);
        }
    }

    /// <summary>Sends the whole digest in as many messages as needed; only the first part asks for the peer's back.</summary>
    private void SendDigest(IPEndPoint destination, bool wantsDigest)
    {
        var max = _membership.MaxUserMessageSize;
        var part = new List<(IntentKey Key, IntentVersion Version)>();
        var size = IntentMessageCodec.HeaderSize + 3;
        var first = true;
        foreach (var entry in _store.Digest())
        {
            var entrySize = IntentMessageCodec.KeySize(entry.Key) + IntentMessageCodec.VersionSize(entry.Version);
            if (part.Count > 0 && (size + entrySize > max || part.Count == ushort.MaxValue))
            {
                Send(IntentMessageCodec.EncodeDigest(wantsDigest && first, part), destination);
                first = false;
                part = [];
                size = IntentMessageCodec.HeaderSize + 3;
            }

            part.Add(entry);
            size += entrySize;
        }

        // An empty digest still answers: the peer learns we hold nothing and sends what it has.
        if (part.Count > 0 || first)
        {
            Send(IntentMessageCodec.EncodeDigest(wantsDigest && first, part), destination);
        }
    }

    /// <summary>What to ask for: only the missing ranges when part of that version is already here.</summary>
    private IntentWant Want(IntentKey key, IntentVersion version)
    {
        lock (_lock)
        {
            return _partials.TryGetValue((key, version), out var partial)
                ? new IntentWant(key, version, partial.Missing(IntentWant.MaxRanges))
                : IntentWant.Whole(key);
        }
    }

    private void SendRequests(List<IntentWant> wants, IPEndPoint destination)
    {
        var max = _membership.MaxUserMessageSize;
        var part = new List<IntentWant>();
        var size = IntentMessageCodec.HeaderSize + 2;
        foreach (var key in wants)
        {
            var keySize = IntentMessageCodec.WantSize(key);
            if (part.Count > 0 && size + keySize > max)
            {
                Send(IntentMessageCodec.EncodeRequest(part), destination);
                part = [];
                size = IntentMessageCodec.HeaderSize + 2;
            }

            part.Add(key);
            size += keySize;
        }

        if (part.Count > 0)
        {
            Send(IntentMessageCodec.EncodeRequest(part), destination);
        }
    }

    /// <summary>
    /// Sends one entry we hold, in as many fragments as its value needs (a tombstone is one empty fragment); with a
    /// want for our exact version, only the ranges it misses.
    /// </summary>
    private void SendEntry(IntentKey key, IPEndPoint destination, IntentWant? want = null)
    {
        if (!_store.TryGetEncoded(key, out var version, out var deletedAt, out var value))
        {
            return;
        }

        var chunkSize = _membership.MaxUserMessageSize - IntentMessageCodec.FragmentOverhead(key, version, deletedAt is not null);
        if (value.Length == 0)
        {
            Send(IntentMessageCodec.EncodeFragment(key, version, deletedAt, 0, 0, []), destination);
            return;
        }

        IReadOnlyList<(int Offset, int Length)> ranges = want is { Version: { } wanted, Ranges.Count: > 0 } && wanted == version
            ? want.Ranges : [(0, value.Length)];
        foreach (var (start, length) in ranges)
        {
            var end = (int)Math.Min((long)start + length, value.Length);
            for (var offset = start; offset < end; offset += chunkSize)
            {
                var size = Math.Min(chunkSize, end - offset);
                Send(IntentMessageCodec.EncodeFragment(key, version, deletedAt, value.Length, offset, value.AsSpan(offset, size)), destination);
            }
        }
    }

    private void HandleFragment(IntentFragmentMessage fragment, IPEndPoint from)
    {
        if (fragment.TotalLength > _options.MaxEntryBytes)
        {
            Counters.RecordOversized();
            Drop(from, "oversized entry");
            return;
        }

        if (_store.VersionOf(fragment.Key) is { } ours && ours >= fragment.Version)
        {
            return;
        }

        byte[]? complete;
        if (fragment.TotalLength == 0 || (fragment.Offset == 0 && fragment.Chunk.Length == fragment.TotalLength))
        {
            complete = fragment.Chunk.ToArray();
        }
        else
        {
            lock (_lock)
            {
                complete = AddFragmentLocked(fragment, from.Address);
            }
        }

        if (complete is null)
        {
            return;
        }

        switch (_store.Merge(fragment.Key, fragment.Version, fragment.DeletedAt, complete))
        {
            case MergeOutcome.Accepted:
                Counters.RecordAccepted();
                QueueForward(fragment.Key);
                break;
            case MergeOutcome.Invalid:
                Counters.RecordInvalid();
                Drop(from, "invalid entry");
                break;
            default:
                break;
        }
    }

    /// <summary>
    /// Adds a fragment to its partial entry; the whole value once every byte arrived, else null. A new partial entry is
    /// charged to <paramref name="sender"/> (the address whose fragment started it): over the per-sender budget, that
    /// sender's own oldest partial goes; over the global budget, the oldest partial of the sender holding the most bytes.
    /// </summary>
    private byte[]? AddFragmentLocked(IntentFragmentMessage fragment, IPAddress sender)
    {
        var id = (fragment.Key, fragment.Version);
        if (!_partials.TryGetValue(id, out var partial))
        {
            ExpirePartialsLocked();
            while (OfSender(sender) is { Count: > 0 } own
                && (own.Count >= _options.MaxPartialEntriesPerSender || own.Sum(p => p.Value.Buffer.Length) + fragment.TotalLength > _options.MaxReassemblyBytesPerSender))
            {
                RemovePartialLocked(own.MinBy(p => p.Value.StartedAt).Key, evicted: true);
            }

            while (_partials.Count > 0 && (_partials.Count >= _options.MaxPartialEntries || _partialBytes + fragment.TotalLength > _options.MaxReassemblyBytes))
            {
                var hog = _partials.GroupBy(p => p.Value.Sender).MaxBy(g => g.Sum(p => p.Value.Buffer.Length))!;
                RemovePartialLocked(hog.MinBy(p => p.Value.StartedAt).Key, evicted: true);
            }

            partial = new Partial(fragment.TotalLength, fragment.DeletedAt, _time.GetTimestamp(), sender);
            _partials[id] = partial;
            _partialBytes += fragment.TotalLength;
        }

        if (partial.Buffer.Length != fragment.TotalLength || partial.DeletedAt != fragment.DeletedAt)
        {
            // Same key and version, different shape: not from an honest node. Start over.
            Counters.RecordInvalid();
            RemovePartialLocked(id, evicted: false);
            return null;
        }

        partial.LastProgress = _time.GetTimestamp();
        if (!partial.Add(fragment.Offset, fragment.Chunk.Span))
        {
            Counters.RecordEvicted();
            RemovePartialLocked(id, evicted: false);
            return null;
        }

        if (!partial.IsComplete)
        {
            return null;
        }

        RemovePartialLocked(id, evicted: false);
        return partial.Buffer;
    }

    private List<KeyValuePair<(IntentKey Key, IntentVersion Version), Partial>> OfSender(IPAddress sender)
        => [.. _partials.Where(p => p.Value.Sender.Equals(sender))];

    private void ExpirePartialsLocked()
    {
        foreach (var (id, partial) in _partials.ToArray())
        {
            if (_time.GetElapsedTime(partial.LastProgress) >= _options.PartialTimeout)
            {
                RemovePartialLocked(id, evicted: true);
            }
        }
    }

    private void RemovePartialLocked((IntentKey, IntentVersion) id, bool evicted)
    {
        if (_partials.Remove(id, out var partial))
        {
            _partialBytes -= partial.Buffer.Length;
            if (evicted)
            {
                Counters.RecordEvicted();
            }
        }
    }

    /// <summary>A value being reassembled: its buffer and the byte ranges received so far (sorted, merged).</summary>
    private sealed class Partial(int length, DateTimeOffset? deletedAt, long startedAt, IPAddress sender)
    {
        private const int MaxRanges = 1024;
        private readonly List<(int Start, int End)> _ranges = [];

        public byte[] Buffer { get; } = new byte[length];

        public DateTimeOffset? DeletedAt { get; } = deletedAt;

        public long StartedAt { get; } = startedAt;

        /// <summary>The address whose fragment started it: the budget it is charged to.</summary>
        public IPAddress Sender { get; } = sender;

        /// <summary>When the last fragment arrived: a partial still filling in is not timed out.</summary>
        public long LastProgress { get; set; } = startedAt;

        /// <summary>Up to <paramref name="max"/> gaps, in order.</summary>
        public List<(int Offset, int Length)> Missing(int max)
        {
            var gaps = new List<(int, int)>();
            var position = 0;
            foreach (var (start, end) in _ranges)
            {
                if (start > position)
                {
                    gaps.Add((position, start - position));
                }

                position = end;
            }

            if (position < Buffer.Length)
            {
                gaps.Add((position, Buffer.Length - position));
            }

            return gaps.Count > max ? gaps[..max] : gaps;
        }

        public bool IsComplete => _ranges.Count == 1 && _ranges[0].Start == 0 && _ranges[0].End == Buffer.Length;

        /// <summary>Copies a chunk in; false when the bookkeeping bound is hit.</summary>
        public bool Add(int offset, ReadOnlySpan<byte> chunk)
        {
            chunk.CopyTo(Buffer.AsSpan(offset));
            var start = offset;
            var end = offset + chunk.Length;
            var merged = new List<(int Start, int End)>(_ranges.Count + 1);
            var placed = false;
            foreach (var range in _ranges)
            {
                if (range.End < start)
                {
                    merged.Add(range);
                }
                else if (range.Start > end)
                {
                    if (!placed)
                    {
                        merged.Add((start, end));
                        placed = true;
                    }

                    merged.Add(range);
                }
                else
                {
                    start = Math.Min(start, range.Start);
                    end = Math.Max(end, range.End);
                }
            }

            if (!placed)
            {
                merged.Add((start, end));
            }

            _ranges.Clear();
            _ranges.AddRange(merged);
            return _ranges.Count <= MaxRanges;
        }
    }
}
