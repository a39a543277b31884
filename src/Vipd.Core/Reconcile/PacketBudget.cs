namespace Vipd.Core.Reconcile;

/// <summary>
/// The pure arithmetic of an <see cref="AnnouncementPacing"/>: a token bucket (capacity the burst, refilled at the
/// rate) and a sliding one-second window that never holds more than the rate. The bucket alone would allow burst plus
/// rate packets in the first second; the window makes "rate packets/s" true for every second, which is what a switch
/// counts. The window is a second plus <see cref="WireJitterGuard"/>: a packet is counted when the budget grants it,
/// and reaches the wire a little later (the loop, the send thread), by a delay that varies; without the guard an
/// early-stamped packet sent late and a later one sent at once fell in one second of a capture (16 frames at 15/s).
/// Times are offsets on one monotonic clock, given by the caller.
/// </summary>
internal sealed class PacketBudget
{
    /// <summary>How much later than its grant a packet may reach the wire while every second of the wire still holds at most the rate.</summary>
    public static readonly TimeSpan WireJitterGuard = TimeSpan.FromMilliseconds(50);

    /// <summary>The sliding window: one second, plus the guard.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(1) + WireJitterGuard;

    /// <summary>Tolerance for the bucket's floating-point refill, far below one packet.</summary>
    private const double Epsilon = 1e-9;

    private TimeSpan[] _sent;
    private int _head;
    private int _count;
    private double _tokens;
    private TimeSpan _refilledAt;

    public PacketBudget(AnnouncementPacing pacing, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(pacing);
        Pacing = pacing;
        _sent = new TimeSpan[Math.Max(pacing.Rate, 1)];
        _tokens = pacing.EffectiveBurst;
        _refilledAt = now;
    }

    public AnnouncementPacing Pacing { get; private set; }

    /// <summary>Takes <paramref name="packets"/> from the budget when it has them now; false (and nothing taken) otherwise.</summary>
    public bool TryTake(TimeSpan now, int packets)
    {
        if (Pacing.IsUnlimited)
        {
            return true;
        }

        if (WaitFor(now, packets) > TimeSpan.Zero)
        {
            return false;
        }

        _tokens = Math.Max(0, _tokens - packets);
        for (var i = 0; i < packets; i++)
        {
            if (_count == _sent.Length)
            {
                _head = (_head + 1) % _sent.Length;
                _count--;
            }

            _sent[(_head + _count) % _sent.Length] = now;
            _count++;
        }

        return true;
    }

    /// <summary>How long until <paramref name="packets"/> may leave: zero when they may now. Never negative.</summary>
    public TimeSpan WaitFor(TimeSpan now, int packets)
    {
        if (Pacing.IsUnlimited)
        {
            return TimeSpan.Zero;
        }

        Refill(now);
        packets = Math.Min(packets, Pacing.EffectiveBurst);
        var wait = TimeSpan.Zero;
        if (_tokens + Epsilon < packets)
        {
            // Rounded up to a whole tick: a timer set for this delay finds the tokens there.
            var ticks = Math.Ceiling((packets - _tokens) * TimeSpan.TicksPerSecond / Pacing.Rate);
            wait = TimeSpan.FromTicks((long)ticks);
        }

        // The window holds the last sends; the oldest ones that must leave it before these fit decide.
        Expire(now);
        var excess = _count + packets - Pacing.Rate;
        if (excess > 0)
        {
            var leaves = _sent[(_head + excess - 1) % _sent.Length] + Window - now;
            wait = leaves > wait ? leaves : wait;
        }

        return wait;
    }

    /// <summary>Switches to another budget (the interface's VIPs changed); the sends of the last second still count.</summary>
    public void Update(AnnouncementPacing pacing, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(pacing);
        if (pacing == Pacing)
        {
            return;
        }

        var wasUnlimited = Pacing.IsUnlimited;
        Refill(now);
        Expire(now);
        var kept = new List<TimeSpan>(_count);
        for (var i = 0; i < _count; i++)
        {
            kept.Add(_sent[(_head + i) % _sent.Length]);
        }

        Pacing = pacing;
        _sent = new TimeSpan[Math.Max(pacing.Rate, 1)];
        _head = 0;
        _count = 0;
        foreach (var at in kept.Skip(Math.Max(0, kept.Count - _sent.Length)))
        {
            _sent[_count++] = at;
        }

        _tokens = wasUnlimited ? pacing.EffectiveBurst : Math.Min(_tokens, pacing.EffectiveBurst);
        _refilledAt = now;
    }

    private void Refill(TimeSpan now)
    {
        if (now > _refilledAt)
        {
            _tokens = Math.Min(Pacing.EffectiveBurst, _tokens + ((now - _refilledAt).TotalSeconds * Pacing.Rate));
            _refilledAt = now;
        }
    }

    private void Expire(TimeSpan now)
    {
        while (_count > 0 && now - _sent[_head] >= Window)
        {
            _head = (_head + 1) % _sent.Length;
            _count--;
        }
    }
}
