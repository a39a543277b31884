namespace Vipd.Metrics;

/// <summary>A thread-safe cumulative histogram of durations in seconds, Prometheus style.</summary>
internal sealed class LatencyHistogram
{
    /// <summary>From 1 ms (a local takeover) to 10 s (a slow failover), about 2.5x apart.</summary>
    public static readonly double[] DefaultBounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly double[] _bounds;
    private readonly long[] _counts;
    private readonly Lock _lock = new();
    private double _sum;
    private long _count;

    public LatencyHistogram(double[]? bounds = null)
    {
        _bounds = bounds ?? DefaultBounds;
        _counts = new long[_bounds.Length];
    }

    public void Observe(TimeSpan duration)
    {
        var seconds = duration.TotalSeconds;
        lock (_lock)
        {
            for (var i = 0; i < _bounds.Length; i++)
            {
                if (seconds <= _bounds[i])
                {
                    _counts[i]++;
                }
            }

            _sum += seconds;
            _count++;
        }
    }

    public void WriteTo(PrometheusText text, string name)
    {
        lock (_lock)
        {
            for (var i = 0; i < _bounds.Length; i++)
            {
                text.Sample($"{name}_bucket", _counts[i], ("le", _bounds[i].ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
            }

            text.Sample($"{name}_bucket", _count, ("le", "+Inf"));
            text.Sample($"{name}_sum", _sum);
            text.Sample($"{name}_count", _count);
        }
    }
}
