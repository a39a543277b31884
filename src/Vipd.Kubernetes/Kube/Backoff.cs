namespace Vipd.Kubernetes.Kube;

/// <summary>Exponential backoff with jitter: 0.5 s doubling up to a cap, reset after a success.</summary>
internal sealed class Backoff
{
    private readonly TimeSpan _initial;
    private readonly TimeSpan _max;
    private readonly Random _random;
    private TimeSpan _next;

    public Backoff(TimeSpan initial, TimeSpan max, Random random)
    {
        _initial = initial;
        _max = max;
        _random = random;
        _next = initial;
    }

    /// <summary>The next delay: the current step plus up to 20 % jitter, so many nodes do not retry in step.</summary>
    public TimeSpan Next()
    {
        var delay = _next + (_next * (0.2 * _random.NextDouble()));
        _next = _next * 2 > _max ? _max : _next * 2;
        return delay;
    }

    public void Reset() => _next = _initial;
}
