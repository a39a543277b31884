using Vipd.Core.Wire;

namespace Vipd.Core.Membership;

/// <summary>
/// Changes waiting to be piggybacked (memberlist <c>TransmitLimitedQueue</c>): one per member (a newer message about a
/// member replaces the older), least-sent and newest first, each dropped after the retransmit limit.
/// Not thread-safe: used under the membership's lock.
/// </summary>
internal sealed class BroadcastQueue
{
    private readonly SortedSet<Item> _order = new(ItemComparer.Instance);
    private readonly Dictionary<string, Item> _bySubject = new(StringComparer.Ordinal);
    private readonly List<Item> _picked = [];
    private long _nextId;

    public int Count => _order.Count;

    /// <summary>Queues <paramref name="message"/> about <paramref name="subject"/>, replacing an older one.</summary>
    public void Enqueue(string subject, WireMessage message)
    {
        if (_bySubject.Remove(subject, out var old))
        {
            _order.Remove(old);
        }

        var frame = new byte[MessageCodec.GetFrameSize(message)];
        MessageCodec.Write(message, frame);
        var item = new Item(subject, frame, 0, ++_nextId);
        _bySubject[subject] = item;
        _order.Add(item);
    }

    public void Clear()
    {
        _order.Clear();
        _bySubject.Clear();
    }

    /// <summary>Copies as many queued frames as fit into <paramref name="destination"/>; returns the bytes written.</summary>
    public int Fill(Span<byte> destination, int transmitLimit)
    {
        var written = 0;
        _picked.Clear();
        foreach (var item in _order)
        {
            if (destination.Length - written < WireFormat.FrameHeaderSize + 4)
            {
                break;
            }

            if (item.Frame.Length <= destination.Length - written)
            {
                item.Frame.CopyTo(destination[written..]);
                written += item.Frame.Length;
                _picked.Add(item);
            }
        }

        foreach (var item in _picked)
        {
            _order.Remove(item);
            _bySubject.Remove(item.Subject);
            if (item.Transmits + 1 < transmitLimit)
            {
                var next = item with { Transmits = item.Transmits + 1 };
                _order.Add(next);
                _bySubject[item.Subject] = next;
            }
        }

        return written;
    }

    private sealed record Item(string Subject, byte[] Frame, int Transmits, long Id);

    private sealed class ItemComparer : IComparer<Item>
    {
        public static readonly ItemComparer Instance = new();

        public int Compare(Item? x, Item? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }

            if (x is null || y is null)
            {
                return x is null ? -1 : 1;
            }

            var byTransmits = x.Transmits.CompareTo(y.Transmits);
            return byTransmits != 0 ? byTransmits : y.Id.CompareTo(x.Id);
        }
    }
}
