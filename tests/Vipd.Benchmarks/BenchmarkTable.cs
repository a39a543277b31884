using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Vipd.Benchmarks;

/// <summary>The results of one benchmark: printed as a table, written as JSON (Utf8JsonWriter: no reflection, AOT-clean).</summary>
internal sealed class BenchmarkTable(string benchmark, int runs, string unit = "milliseconds")
{
    private readonly List<Measurement> _measurements = [];
    private readonly Dictionary<string, string> _facts = new(StringComparer.Ordinal);
    private readonly List<(string Name, Measurement Numerator, Measurement Denominator)> _ratios = [];

    /// <summary>The benchmark's title, e.g. "failover (profile fast)".</summary>
    public string Title => benchmark;

    public Measurement Get(string name, double? targetMs = null)
    {
        var measurement = _measurements.Find(m => m.Name == name);
        if (measurement is null)
        {
            measurement = new Measurement(name, targetMs);
            _measurements.Add(measurement);
        }

        return measurement;
    }

    /// <summary>A fact about the run (kernel, CPU count, command) printed above the table and stored in the JSON.</summary>
    public void Fact(string key, string value) => _facts[key] = value;

    /// <summary>
    /// A comparison printed below the table and stored in the JSON: <paramref name="numerator"/>'s p50 and p99 divided
    /// by <paramref name="denominator"/>'s (e.g. keepalived's crash gap over vipd's), once both have samples.
    /// </summary>
    public void Ratio(string name, Measurement numerator, Measurement denominator) => _ratios.Add((name, numerator, denominator));

    public string Format()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{benchmark}: {runs} runs, {unit}");
        foreach (var (key, value) in _facts)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {key}: {value}");
        }

        var width = Math.Max(10, _measurements.Count == 0 ? 0 : _measurements.Max(m => m.Name.Length));
        text.AppendLine(CultureInfo.InvariantCulture, $"{"measurement".PadRight(width)}  {"p50",9} {"p90",9} {"p99",9} {"max",9} {"n",5}  target (p99 and max)");
        foreach (var m in _measurements.Where(m => m.Samples.Count > 0))
        {
            var target = m.TargetMs is { } t ? $"<= {t.ToString("0.##", CultureInfo.InvariantCulture)} {(m.MeetsTarget == true ? "met" : "MISSED")}" : "";
            text.AppendLine(CultureInfo.InvariantCulture, $"{m.Name.PadRight(width)}  {m.P50,9:F3} {m.P90,9:F3} {m.P99,9:F3} {m.Max,9:F3} {m.Count,5}  {target}");
        }

        foreach (var (name, numerator, denominator) in Ratios())
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"ratio {name}: p50 {RatioText(numerator.P50, denominator.P50)}, p99 {RatioText(numerator.P99, denominator.P99)}");
        }

        return text.ToString();
    }

    public void WriteJson(Stream stream)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        WriteJson(json);
    }

    /// <summary>
    /// What a benchmark command does with its tables at the end: prints each (unless <paramref name="print"/> is false,
    /// for a benchmark that printed them as it went) and, when <paramref name="jsonPath"/> is set, writes them there as
    /// one JSON document (<see cref="WriteJson(Stream, IReadOnlyList{BenchmarkTable})"/>).
    /// </summary>
    public static async Task EmitAsync(IReadOnlyList<BenchmarkTable> tables, string? jsonPath, bool print = true)
    {
        ArgumentNullException.ThrowIfNull(tables);
        if (print)
        {
            foreach (var table in tables)
            {
                Console.WriteLine(table.Format());
            }
        }

        if (jsonPath is not null)
        {
            await using var file = File.Create(jsonPath);
            WriteJson(file, tables);
            await Console.Error.WriteLineAsync($"wrote {jsonPath}").ConfigureAwait(false);
        }
    }

    /// <summary>Several tables in one JSON document: one table alone as its object, several as <c>{"benchmarks": [...]}</c>.</summary>
    public static void WriteJson(Stream stream, IReadOnlyList<BenchmarkTable> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        if (tables.Count == 1)
        {
            tables[0].WriteJson(stream);
            return;
        }

        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteStartArray("benchmarks");
        foreach (var table in tables)
        {
            table.WriteJson(json);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The JSON of this table alone, as bytes (for the Markdown report).</summary>
    public byte[] ToJsonBytes()
    {
        using var stream = new MemoryStream();
        WriteJson(stream);
        return stream.ToArray();
    }

    /// <summary>numerator / denominator as "12x", "3.4x" or "0.05x" ("n/a" for a zero denominator).</summary>
    public static string RatioText(double numerator, double denominator)
    {
        if (denominator <= 0)
        {
            return "n/a";
        }

        var ratio = numerator / denominator;
        return ratio.ToString(ratio >= 10 ? "0" : ratio >= 1 ? "0.0" : "0.00", CultureInfo.InvariantCulture) + "x";
    }

    private IEnumerable<(string Name, Measurement Numerator, Measurement Denominator)> Ratios() =>
        _ratios.Where(r => r.Numerator.Count > 0 && r.Denominator.Count > 0);

    private void WriteJson(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("benchmark", benchmark);
        json.WriteNumber("runs", runs);
        json.WriteString("unit", unit == "milliseconds" ? "ms" : unit);
        json.WriteStartObject("facts");
        foreach (var (key, value) in _facts)
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
        json.WriteStartArray("measurements");
        foreach (var m in _measurements.Where(m => m.Samples.Count > 0))
        {
            json.WriteStartObject();
            json.WriteString("name", m.Name);
            json.WriteNumber("n", m.Count);
            json.WriteNumber("median", Math.Round(m.Median, 4));
            json.WriteNumber("p50", Math.Round(m.P50, 4));
            json.WriteNumber("p90", Math.Round(m.P90, 4));
            json.WriteNumber("p99", Math.Round(m.P99, 4));
            json.WriteNumber("min", Math.Round(m.Min, 4));
            json.WriteNumber("max", Math.Round(m.Max, 4));
            if (m.TargetMs is { } target)
            {
                json.WriteNumber("target", target);
                json.WriteString("judgedOn", "p99 and max");
                json.WriteBoolean("meetsTarget", m.MeetsTarget == true);
            }

            json.WriteStartArray("samples");
            foreach (var sample in m.Samples)
            {
                json.WriteNumberValue(Math.Round(sample, 4));
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("ratios");
        foreach (var (name, numerator, denominator) in Ratios())
        {
            json.WriteStartObject();
            json.WriteString("name", name);
            json.WriteString("numerator", numerator.Name);
            json.WriteString("denominator", denominator.Name);
            if (denominator.P50 > 0)
            {
                json.WriteNumber("p50", Math.Round(numerator.P50 / denominator.P50, 3));
            }

            if (denominator.P99 > 0)
            {
                json.WriteNumber("p99", Math.Round(numerator.P99 / denominator.P99, 3));
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }
}
