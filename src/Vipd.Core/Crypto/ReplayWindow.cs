using Vipd.Core.Wire;

namespace Vipd.Core.Crypto;

/// <summary>
/// Anti-replay per authenticated sender: for each sender name, its current boot id and a 64-counter sliding window
/// over the nonce counter, as IPsec does. The UDP source plays no part, so a datagram resent from another address or
/// port is still a replay. A boot id carries its boot time in its high bits (<see cref="DatagramProtector.NewBootId"/>):
/// a newer boot replaces the window; an older boot is refused (<see cref="DropReason.StaleBoot"/>) while the newer one
/// spoke within <c>bootSilence</c> (after that, a clock stepped back across a restart is accepted).
/// At most <c>maxSenders</c> senders are tracked; the least recently heard one is forgotten first (only key holders
/// create entries: a datagram is checked here only after it authenticated).
/// Not thread-safe: the membership calls it under its lock.
/// </summary>
internal sealed class ReplayWindow(int maxSenders, TimeProvider time, TimeSpan bootSilence)
{
    private const int WindowBits = 64;

    private readonly Dictionary<string, Entry> _senders = new(StringComparer.Ordinal);
    private long _uses;

    public int TrackedSenders => _senders.Count;

    /// <summary>Checks an authenticated counter and records it when fresh.</summary>
    /// <returns><see cref="DropReason.None"/>, <see cref="DropReason.Replayed"/> or <see cref="DropReason.StaleBoot"/>.</returns>
    public DropReason Accept(string sender, ulong bootId, ulong counter)
    {
        var now = time.GetTimestamp();
        if (!_senders.TryGetValue(sender, out var entry))
        {
            if (_senders.Count >= maxSenders)
            {
                EvictOldest();
            }

            _senders[sender] = new Entry { BootId = bootId, Highest = counter, Seen = 1, LastUse = ++_uses, LastHeard = now };
            return DropReason.None;
        }

        if (entry.BootId != bootId)
        {
            var newer = DatagramProtector.BootTime(bootId) >= DatagramProtector.BootTime(entry.BootId);
            if (!newer && time.GetElapsedTime(entry.LastHeard, now) < bootSilence)
            {
                return DropReason.StaleBoot;
            }

            // A restart (or, when older, a clock stepped back across one): a fresh window for the new boot.
            entry.BootId = bootId;
            entry.Highest = counter;
            entry.Seen = 1;
            entry.LastUse = ++_uses;
            entry.LastHeard = now;
            return DropReason.None;
        }

        if (counter <= entry.Highest)
        {
            var behind = entry.Highest - counter;
            if (behind >= WindowBits || (entry.Seen & (1UL << (int)behind)) != 0)
            {
                return DropReason.Replayed;
            }

            entry.Seen |= 1UL << (int)behind;
        }
        else
        {
            var ahead = counter - entry.Highest;
            entry.Seen = ahead >= WindowBits ? 1 : (entry.Seen << (int)ahead) | 1;
            entry.Highest = counter;
        }

        entry.LastUse = ++_uses;
        entry.LastHeard = now;
        return DropReason.None;
    }

    private void EvictOldest()
    {
        string? oldest = null;
        var oldestUse = long.MaxValue;
        foreach (var (key, entry) in _senders)
        {
            if (entry.LastUse < oldestUse)
            {
                oldestUse = entry.LastUse;
                oldest = key;
            }
        }

        if (oldest is not null)
        {
            _senders.Remove(oldest);
        }
    }

    private sealed class Entry
    {
        public ulong BootId { get; set; }

        public ulong Highest { get; set; }

        public ulong Seen { get; set; }

        public long LastUse { get; set; }

        public long LastHeard { get; set; }
    }
}
