namespace Vipd.Benchmarks;

/// <summary>The samples of one measured quantity, in milliseconds, with an optional target it should meet.</summary>
internal sealed class Measurement(string name, double? targetMs = null)
{
    private readonly List<double> _samples = [];

    public string Name { get; } = name;

    public double? TargetMs { get; } = targetMs;

    public IReadOnlyList<double> Samples => _samples;

    public double Median
    {
        get
        {
            var sorted = _samples.Order().ToArray();
            var mid = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        }
    }

    public double Min => _samples.Min();

    public double Max => _samples.Max();

    /// <summary>Met when the median is within the target; null without a target.</summary>
    public bool? MeetsTarget => TargetMs is { } target ? Median <= target : null;

    public void Add(double milliseconds) => _samples.Add(milliseconds);
}
