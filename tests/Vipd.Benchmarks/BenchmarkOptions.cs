using System.Globalization;

namespace Vipd.Benchmarks;

/// <summary>
/// Options every benchmark takes: measured runs, unmeasured warm-up runs, where to write JSON, and where to write a
/// Markdown report (failover and report only).
/// </summary>
internal sealed record BenchmarkOptions(int Runs, int Warmup, string? JsonPath, string? MarkdownPath = null)
{
    public static bool TryParse(ReadOnlySpan<string> args, out BenchmarkOptions options, out string? error)
    {
        // 5 runs: enough for a stable median on a shared 2-core machine; 1 warm-up run absorbs JIT and first-use costs.
        options = new BenchmarkOptions(5, 1, null);
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--runs" when int.TryParse(value, CultureInfo.InvariantCulture, out var runs) && runs is > 0 and <= 1000:
                    options = options with { Runs = runs };
                    i++;
                    break;
                case "--warmup" when int.TryParse(value, CultureInfo.InvariantCulture, out var warmup) && warmup is >= 0 and <= 100:
                    options = options with { Warmup = warmup };
                    i++;
                    break;
                case "--json" when !string.IsNullOrEmpty(value):
                    options = options with { JsonPath = value };
                    i++;
                    break;
                case "--markdown" when !string.IsNullOrEmpty(value):
                    options = options with { MarkdownPath = value };
                    i++;
                    break;
                default:
                    error = $"unknown or incomplete option: {args[i]}";
                    return false;
            }
        }

        return true;
    }
}
