using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Vipd.Linux.Tests.Native;

/// <summary>
/// Compiles and runs a small C program against the system's kernel headers and returns the numbers it prints,
/// one <c>NAME VALUE</c> line each (the technique of tmds/Tmds.LibC's ConstantsTests).
/// </summary>
internal static class CHeaderProbe
{
    private static readonly string[] Headers =
    [
        "stdio.h", "stddef.h", "errno.h", "sys/socket.h", "linux/netlink.h", "linux/rtnetlink.h", "linux/if_addr.h",
        "linux/if_link.h", "linux/if.h",
    ];

    public static string? FindGcc()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "gcc"))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>Evaluates each C expression (given as name → expression) and returns name → value.</summary>
    public static Dictionary<string, long> Evaluate(IReadOnlyList<(string Name, string Expression)> expressions)
    {
        var gcc = FindGcc() ?? throw new InvalidOperationException("gcc not found");
        var source = new StringBuilder();
        foreach (var header in Headers)
        {
            source.Append(CultureInfo.InvariantCulture, $"#include <{header}>\n");
        }

        source.Append("int main(void) {\n");
        foreach (var (name, expression) in expressions)
        {
            source.Append(CultureInfo.InvariantCulture, $"    printf(\"%s %lld\\n\", \"{name}\", (long long)({expression}));\n");
        }

        source.Append("    return 0;\n}\n");
        var dir = Directory.CreateTempSubdirectory("vipd-cprobe-");
        try
        {
            var c = Path.Combine(dir.FullName, "probe.c");
            var exe = Path.Combine(dir.FullName, "probe");
            File.WriteAllText(c, source.ToString());
            Run(gcc, ["-std=gnu11", "-o", exe, c]);
            var output = Run(exe, []);
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(' '))
                .ToDictionary(parts => parts[0], parts => long.Parse(parts[1], CultureInfo.InvariantCulture));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string Run(string file, IReadOnlyList<string> args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill();
            throw new TimeoutException($"{file} timed out");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} failed ({process.ExitCode}): {stderr.Result}");
        }

        return stdout.Result;
    }
}
