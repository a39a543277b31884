using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Vipd.Benchmarks;

/// <summary>What a published figure needs beside it: the machine, its load when the run started, the command, the date.</summary>
internal sealed record MachineFacts(string Cpu, int Cores, string Kernel, string LoadAtStart, DateTimeOffset Started, string Command, string Commit)
{
    /// <summary>Reads the machine's facts now (call it before the run: the load average is the one at the start).</summary>
    public static MachineFacts Capture()
    {
        var cpu = ReadOr("/proc/cpuinfo", "?").Split('\n').FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[^1].Trim() ?? "?";
        return new MachineFacts(cpu, Environment.ProcessorCount, ReadOr("/proc/sys/kernel/osrelease", "?").Trim(), LoadAverage(), DateTimeOffset.UtcNow, CommandLine(), LastCommit());
    }

    /// <summary>The 1, 5 and 15 minute load averages (/proc/loadavg).</summary>
    public static string LoadAverage() => string.Join(' ', ReadOr("/proc/loadavg", "? ? ?").Split(' ').Take(3));

    /// <summary>The command that is running, as one would type it from the repository root (with the environment that selects what runs).</summary>
    private static string CommandLine()
    {
        var arguments = Environment.GetCommandLineArgs();
        var program = arguments[0];
        var root = RepositoryRoot();
        if (root is not null && program.StartsWith(root, StringComparison.Ordinal))
        {
            program = program[(root.Length + 1)..];
        }

        var environment = ((string[])["VIPD_PROFILE", "VIPD_BINARY"]).Where(k => Environment.GetEnvironmentVariable(k) is not null)
            .Select(k => k == "VIPD_BINARY" && Relative(Environment.GetEnvironmentVariable(k)!) is { } path && !path.StartsWith('/')
                ? $"{k}=$PWD/{path}"
                : $"{k}={Environment.GetEnvironmentVariable(k)}");
        var dotnet = program.EndsWith(".dll", StringComparison.Ordinal) ? "dotnet " : "";
        return string.Join(' ', environment.Append(dotnet + program).Concat(arguments.Skip(1)));
    }

    /// <summary><paramref name="path"/> relative to the repository root when it lies under it (for published figures).</summary>
    public static string Relative(string path)
    {
        var root = RepositoryRoot();
        return root is not null && path.StartsWith(root + "/", StringComparison.Ordinal) ? path[(root.Length + 1)..] : path;
    }

    /// <summary>The folder holding vipd.sln above the benchmark's binary, or null.</summary>
    public static string? RepositoryRoot()
    {
        for (var up = new DirectoryInfo(AppContext.BaseDirectory); up is not null; up = up.Parent)
        {
            if (File.Exists(Path.Combine(up.FullName, "vipd.sln")))
            {
                return up.FullName;
            }
        }

        return null;
    }

    private static string LastCommit()
    {
        try
        {
            var psi = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepositoryRoot() ?? "." };
            foreach (var argument in (string[])["log", "-1", "--format=%h %s"])
            {
                psi.ArgumentList.Add(argument);
            }

            using var git = Process.Start(psi);
            if (git is null || !git.WaitForExit(5000))
            {
                return "?";
            }

            var line = git.StandardOutput.ReadToEnd().Trim();
            return line.Length > 90 ? line[..90] + "…" : line;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "?";
        }
    }

    private static string ReadOr(string path, string fallback)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return fallback;
        }
    }
}

/// <summary>
/// Writes BENCHMARKS.md: the machine and the command, then each benchmark's figures (p50/p90/p99/max and n). A
/// measurement named "vipd: X" with a partner "keepalived: X" is shown side by side with it, with keepalived/vipd
/// ratios of p50 and p99. Reads the benchmarks' own JSON, so what it shows is what <c>--json</c> writes.
/// </summary>
internal static class MarkdownReport
{
    private const string Vipd = "vipd: ";
    private const string Keepalived = "keepalived: ";

    /// <summary>Writes the report: <paramref name="failover"/> tables first, then the JSON files of <paramref name="others"/> (footprint, startup).</summary>
    public static async Task WriteAsync(string path, MachineFacts machine, IReadOnlyList<BenchmarkTable> failover, IReadOnlyList<string> others)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(failover);
        ArgumentNullException.ThrowIfNull(others);
        var text = new StringBuilder();
        text.AppendLine("# Benchmarks");
        text.AppendLine();
        text.AppendLine("Written by the benchmark command below (`--markdown`); do not edit by hand, run it again whenever a change moves a");
        text.AppendLine("figure. Percentiles by nearest rank (below 100 samples p99 is the worst sample); a target is met only when p99 and");
        text.AppendLine("the maximum are within it. How each benchmark works: `tests/Vipd.Benchmarks/README.md`.");
        text.AppendLine();
        text.AppendLine("| | |");
        text.AppendLine("|---|---|");
        text.AppendLine(CultureInfo.InvariantCulture, $"| date | {machine.Started:yyyy-MM-dd HH:mm} UTC (run took {(DateTimeOffset.UtcNow - machine.Started).TotalMinutes:0} min) |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| machine | {machine.Cpu}, {machine.Cores} cores, Linux {machine.Kernel} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| load average (1/5/15 min) | {machine.LoadAtStart} at the start, {MachineFacts.LoadAverage()} at the end |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| commit | {Escape(machine.Commit)} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| command | `{machine.Command}` (as root, from the repository root) |");
        text.AppendLine();

        foreach (var table in failover)
        {
            using var json = JsonDocument.Parse(table.ToJsonBytes());
            Append(text, json.RootElement);
        }

        foreach (var file in others)
        {
            using var json = JsonDocument.Parse(await File.ReadAllBytesAsync(file).ConfigureAwait(false));
            Append(text, json.RootElement);
        }

        await File.WriteAllTextAsync(path, text.ToString()).ConfigureAwait(false);
    }

    private static void Append(StringBuilder text, JsonElement table)
    {
        var unit = table.GetProperty("unit").GetString();
        text.AppendLine(CultureInfo.InvariantCulture, $"## {table.GetProperty("benchmark").GetString()}");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"{table.GetProperty("runs").GetInt32()} runs; figures in {unit} unless the name says otherwise.");
        text.AppendLine();
        var measurements = table.GetProperty("measurements").EnumerateArray().ToList();
        var byName = measurements.ToDictionary(m => m.GetProperty("name").GetString()!, StringComparer.Ordinal);
        var paired = measurements.Select(m => m.GetProperty("name").GetString()!)
            .Where(n => n.StartsWith(Vipd, StringComparison.Ordinal) && byName.ContainsKey(Keepalived + n[Vipd.Length..])).ToList();
        if (paired.Count > 0)
        {
            text.AppendLine("| measurement | vipd p50 / p90 / p99 / max (n) | keepalived p50 / p90 / p99 / max (n) | keepalived/vipd p50, p99 | vipd target (p99 and max) |");
            text.AppendLine("|---|---|---|---|---|");
            foreach (var name in paired)
            {
                var vipd = byName[name];
                var keepalived = byName[Keepalived + name[Vipd.Length..]];
                text.AppendLine(CultureInfo.InvariantCulture, $"| {Escape(name[Vipd.Length..])} | {Figures(vipd)} | {Figures(keepalived)} | {Ratio(keepalived, vipd, "p50")}, {Ratio(keepalived, vipd, "p99")} | {Target(vipd)} |");
            }

            text.AppendLine();
        }

        var rest = measurements.Where(m => !paired.Contains(m.GetProperty("name").GetString()!, StringComparer.Ordinal)
            && !paired.Any(p => Keepalived + p[Vipd.Length..] == m.GetProperty("name").GetString())).ToList();
        if (rest.Count > 0)
        {
            text.AppendLine("| measurement | p50 | p90 | p99 | max | n | target (p99 and max) |");
            text.AppendLine("|---|---|---|---|---|---|---|");
            foreach (var m in rest)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {Escape(m.GetProperty("name").GetString()!.Trim())} | {Number(m, "p50")} | {Number(m, "p90")} | {Number(m, "p99")} | {Number(m, "max")} | {m.GetProperty("n").GetInt32()} | {Target(m)} |");
            }

            text.AppendLine();
        }

        text.AppendLine("<details><summary>facts of the run</summary>");
        text.AppendLine();
        foreach (var fact in table.GetProperty("facts").EnumerateObject())
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {Escape(fact.Name)}: {Escape(fact.Value.GetString() ?? "")}");
        }

        text.AppendLine();
        text.AppendLine("</details>");
        text.AppendLine();
    }

    private static string Figures(JsonElement m) =>
        $"{Number(m, "p50")} / {Number(m, "p90")} / {Number(m, "p99")} / {Number(m, "max")} ({m.GetProperty("n").GetInt32().ToString(CultureInfo.InvariantCulture)})";

    private static string Ratio(JsonElement numerator, JsonElement denominator, string field)
    {
        var below = denominator.GetProperty(field).GetDouble();
        return below > 0 ? BenchmarkTable.RatioText(numerator.GetProperty(field).GetDouble(), below) : "n/a";
    }

    private static string Target(JsonElement m) =>
        m.TryGetProperty("target", out var target)
            ? string.Create(CultureInfo.InvariantCulture, $"≤ {target.GetDouble():0.##}: {(m.GetProperty("meetsTarget").GetBoolean() ? "met" : "**missed**")}")
            : "";

    private static string Number(JsonElement m, string field)
    {
        var value = m.GetProperty(field).GetDouble();
        var format = Math.Abs(value) switch
        {
            >= 1000 => "#,0",
            >= 100 => "0",
            >= 10 => "0.0",
            _ => "0.00",
        };
        return value.ToString(format, CultureInfo.InvariantCulture);
    }

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
