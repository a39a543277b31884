using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Vipd.Benchmarks;

/// <summary>The results of one benchmark: printed as a table, written as JSON (Utf8JsonWriter: no reflection, AOT-clean).</summary>
internal sealed class BenchmarkTable(string benchmark, int runs, string unit = "milliseconds")
{
    private readonly List<Measurement> _measurements = [];
    private readonly Dictionary<string, string> _facts = new(StringComparer.Ordinal);

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

        return text.ToString();
    }

    public void WriteJson(Stream stream)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
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
        json.WriteEndObject();
    }
}
