using System.Diagnostics;

namespace Vipd.Tests.Systemd;

/// <summary>The files in systemd/ of this checkout, and a way to run systemd's tools on them.</summary>
internal static class SystemdFiles
{
    /// <summary>The systemd/ folder of the checkout these tests were built from.</summary>
    public static string Directory { get; } = FindDirectory();

    /// <summary>Path of systemd-analyze, or null when it is not installed.</summary>
    public static string? SystemdAnalyze { get; } = new[] { "/usr/bin/systemd-analyze", "/bin/systemd-analyze" }.FirstOrDefault(File.Exists);

    public static string Path(string name) => System.IO.Path.Combine(Directory, name);

    /// <summary>Runs a tool (bounded to 30 s) and returns its exit code and stdout+stderr.</summary>
    public static (int ExitCode, string Output) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // No pager, no colours, no systemd-specific environment of the caller.
        info.Environment["SYSTEMD_PAGER"] = "cat";
        info.Environment["SYSTEMD_COLORS"] = "0";
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill();
            throw new TimeoutException($"{file} {string.Join(' ', args)} still runs after 30 s");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>The <c>Key=value</c> lines of one section of a unit file (comments and blank lines skipped; repeated keys kept in order).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Section(string unitText, string section)
    {
        var entries = new List<KeyValuePair<string, string>>();
        string? current = null;
        foreach (var raw in unitText.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[' && line[^1] == ']')
            {
                current = line[1..^1];
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (current == section && equals > 0)
            {
                entries.Add(new(line[..equals].Trim(), line[(equals + 1)..].Trim()));
            }
        }

        return entries;
    }

    private static string FindDirectory()
    {
        for (var up = new DirectoryInfo(AppContext.BaseDirectory); up is not null; up = up.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(up.FullName, "vipd.sln")))
            {
                return System.IO.Path.Combine(up.FullName, "systemd");
            }
        }

        throw new DirectoryNotFoundException($"no vipd.sln above {AppContext.BaseDirectory}");
    }
}
