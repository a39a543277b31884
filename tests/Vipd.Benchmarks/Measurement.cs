namespace Vipd.Benchmarks;

/// <summary>
/// The samples of one measured quantity (milliseconds unless its name says otherwise), with an optional target it
/// should meet. A target is judged on the tail: met only when both p99 and the worst sample are within it.
/// </summary>
internal sealed class Measurement(string name, double? targetMs = null)
{
    private readonly List<double> _samples = [];

    public string Name { get; } = name;

    public double? TargetMs { get; } = targetMs;

    public IReadOnlyList<double> Samples => _samples;

    public int Count => _samples.Count;

    /// <summary>The middle sample (mean of the two middle ones for an even count).</summary>
    public double Median
    {
        get
        {
            var sorted = _samples.Order().ToArray();
            var mid = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        }
    }

    public double P50 => Percentile(0.50);

    public double P90 => Percentile(0.90);

    /// <summary>p99 by nearest rank: with fewer than 100 samples it is the worst one.</summary>
    public double P99 => Percentile(0.99);

    public double Min => _samples.Min();

    public double Max => _samples.Max();

    /// <summary>Met when p99 and the maximum are within the target (never on the median alone); null without a target.</summary>
    public bool? MeetsTarget => TargetMs is { } target ? P99 <= target && Max <= target : null;

    public void Add(double milliseconds) => _samples.Add(milliseconds);

    /// <summary>The nearest-rank percentile: the smallest sample with at least <paramref name="quantile"/> of the samples at or below it.</summary>
    public double Percentile(double quantile)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quantile);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quantile, 1);
        var sorted = _samples.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
