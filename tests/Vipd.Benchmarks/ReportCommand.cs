using Vipd.Lab.Keepalived;

namespace Vipd.Benchmarks;

/// <summary>
/// The published figures in one run: failover for both profiles (vipd and keepalived side by side), then footprint and
/// startup through their own entry points (profile default), written to BENCHMARKS.md at the repository root (or
/// <c>--markdown FILE</c>). <c>--runs</c> is the failover trials and startup starts (default 20); footprint takes 3
/// samples. <c>--json FILE</c> gets the failover tables.
/// </summary>
internal static class ReportCommand
{
    private const int FootprintSamples = 3;

    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        if (!await LabBenchmark.RequireRootAsync("report").ConfigureAwait(false))
        {
            return 2;
        }

        if (!LabKeepalived.IsInstalled)
        {
            await Console.Error.WriteLineAsync($"report: keepalived is not installed ({LabKeepalived.Binary}); run tests/install-deps").ConfigureAwait(false);
            return 2;
        }

        var markdown = options.MarkdownPath ?? Path.Combine(MachineFacts.RepositoryRoot() ?? ".", "BENCHMARKS.md");
        var machine = MachineFacts.Capture();
        var failover = await FailoverBenchmark.MeasureAsync(options, FailoverBenchmark.Profiles("default,fast")).ConfigureAwait(false);
        foreach (var table in failover)
        {
            Console.WriteLine(table.Format());
        }

        if (options.JsonPath is { } path)
        {
            await using var file = File.Create(path);
            BenchmarkTable.WriteJson(file, failover);
        }

        var directory = Directory.CreateTempSubdirectory("vipd-report-");
        try
        {
            // Footprint and startup read VIPD_PROFILE as one profile: both run the default one.
            Environment.SetEnvironmentVariable("VIPD_PROFILE", "default");
            var footprint = Path.Combine(directory.FullName, "footprint.json");
            var startup = Path.Combine(directory.FullName, "startup.json");
            var status = await FootprintBenchmark.RunAsync(options with { Runs = FootprintSamples, JsonPath = footprint, MarkdownPath = null }).ConfigureAwait(false);
            status = Math.Max(status, await StartupBenchmark.RunAsync(options with { JsonPath = startup, MarkdownPath = null }).ConfigureAwait(false));
            await MarkdownReport.WriteAsync(markdown, machine, failover, [.. ((string[])[footprint, startup]).Where(File.Exists)]).ConfigureAwait(false);
            Console.Error.WriteLine($"wrote {markdown}");
            return status;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
