using System.Net;

namespace Vipd.Core.Crypto;

/// <summary>
/// Anti-replay: per sender (source endpoint and its random nonce prefix) a 64-counter sliding window, as IPsec does.
/// At most <c>maxSenders</c> senders are tracked; the least recently heard one is forgotten first (only senders that
/// hold a key can create entries, because a datagram is checked here only after it authenticated).
/// Not thread-safe: the membership calls it under its lock.
/// </summary>
internal sealed class ReplayWindow(int maxSenders)
{
    private const int WindowBits = 64;

    private readonly Dictionary<(IPEndPoint Sender, uint Prefix), Entry> _senders = [];
    private long _uses;

    public int TrackedSenders => _senders.Count;

    /// <summary>True when <paramref name="counter"/> was seen already or fell out of the window.</summary>
    public bool IsReplay(IPEndPoint sender, uint prefix, ulong counter)
    {
        if (!_senders.TryGetValue((sender, prefix), out var entry))
        {
            return false;
        }

        if (counter > entry.Highest)
        {
            return false;
        }

        var behind = entry.Highest - counter;
        return behind >= WindowBits || (entry.Seen & (1UL << (int)behind)) != 0;
    }

    /// <summary>Records an authenticated counter. Call only after <see cref="IsReplay"/> returned false.</summary>
    public void Accept(IPEndPoint sender, uint prefix, ulong counter)
    {
        if (!_senders.TryGetValue((sender, prefix), out var entry))
        {
            if (_senders.Count >= maxSenders)
            {
                EvictOldest();
            }

            _senders[(sender, prefix)] = new Entry { Highest = counter, Seen = 1, LastUse = ++_uses };
            return;
        }

        entry.LastUse = ++_uses;
        if (counter > entry.Highest)
        {
            var ahead = counter - entry.Highest;
            entry.Seen = ahead >= WindowBits ? 1 : (entry.Seen << (int)ahead) | 1;
            entry.Highest = counter;
        }
        else
        {
            entry.Seen |= 1UL << (int)(entry.Highest - counter);
        }
    }

    private void EvictOldest()
    {
        var oldest = default((IPEndPoint, uint));
        var oldestUse = long.MaxValue;
        foreach (var (key, entry) in _senders)
        {
            if (entry.LastUse < oldestUse)
            {
                oldestUse = entry.LastUse;
                oldest = key;
            }
        }

        _senders.Remove(oldest);
    }

    private sealed class Entry
    {
        public ulong Highest { get; set; }

        public ulong Seen { get; set; }

        public long LastUse { get; set; }
    }
}
