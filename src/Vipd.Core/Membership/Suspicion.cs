namespace Vipd.Core.Membership;

/// <summary>
/// Lifeguard's suspicion timer (memberlist <c>suspicion.go</c>): starts at <c>max</c> when <c>k</c> independent
/// confirmations are expected and shrinks towards <c>min</c> as they arrive; with <c>k &lt; 1</c> it is a flat
/// <c>min</c>. The first suspector does not count as a confirmation. Fires <c>timeout</c> once, on the timer thread.
/// </summary>
internal sealed class Suspicion : IDisposable
{
    private readonly HashSet<string> _confirmations;
    private readonly int _k;
    private readonly TimeSpan _min;
    private readonly TimeSpan _max;
    private readonly TimeProvider _time;
    private readonly long _start;
    private readonly ITimer _timer;
    private readonly Action _timeout;
    private int _n;
    private int _fired;

    public Suspicion(string from, int k, TimeSpan min, TimeSpan max, TimeProvider time, Action timeout)
    {
        _confirmations = new HashSet<string>(StringComparer.Ordinal) { from };
        _k = k;
        _min = min;
        _max = max;
        _time = time;
        _timeout = timeout;
        _start = time.GetTimestamp();
        var initial = k < 1 ? min : max;
        _timer = time.CreateTimer(static s => ((Suspicion)s!).Fire(), this, initial, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Confirmations counted so far.</summary>
    public int Confirmations => _n;

    /// <summary>
    /// Timeout remaining after <paramref name="elapsed"/> with <paramref name="n"/> of <paramref name="k"/> confirmations:
    /// <c>max - log(n + 1) / log(k + 1) * (max - min)</c>, floored to whole milliseconds, at least <c>min</c>.
    /// </summary>
    public static TimeSpan RemainingTime(int n, int k, TimeSpan elapsed, TimeSpan min, TimeSpan max)
    {
        var fraction = Math.Log(n + 1.0) / Math.Log(k + 1.0);
        var raw = max.TotalSeconds - (fraction * (max.TotalSeconds - min.TotalSeconds));
        var timeout = TimeSpan.FromMilliseconds(Math.Floor(1000.0 * raw));
        if (timeout < min)
        {
            timeout = min;
        }

        return timeout - elapsed;
    }

    /// <summary>Counts a confirmation from another suspector; true when it was new (worth re-gossiping).</summary>
    public bool Confirm(string from)
    {
        if (_n >= _k || !_confirmations.Add(from))
        {
            return false;
        }

        _n++;
        var remaining = RemainingTime(_n, _k, _time.GetElapsedTime(_start), _min, _max);
        _ = _timer.Change(remaining > TimeSpan.Zero ? remaining : TimeSpan.FromTicks(1), Timeout.InfiniteTimeSpan);
        return true;
    }

    public void Dispose() => _timer.Dispose();

    private void Fire()
    {
        if (Interlocked.Exchange(ref _fired, 1) == 0)
        {
            _timeout();
        }
    }
}
