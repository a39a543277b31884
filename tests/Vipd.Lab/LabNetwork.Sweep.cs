using System.Globalization;
using System.Text.RegularExpressions;

namespace Vipd.Lab;

/// <summary>Ownership markers and the sweep of labs whose owning process died.</summary>
public sealed partial class LabNetwork
{
    /// <summary>
    /// Deletes every lab whose marker <c>/run/vipd-lab/vlXXXX.pid</c> names a process that no longer exists (PID gone,
    /// or reused: the marker also holds the process start time): kills the processes left in its namespaces, deletes
    /// the namespaces "vlXXXX-*", the marker and the work directory. Names without such a marker are never touched.
    /// </summary>
    /// <returns>The prefixes swept.</returns>
    public static async Task<IReadOnlyList<string>> SweepStaleAsync(CancellationToken ct = default)
    {
        var swept = new List<string>();
        if (!Directory.Exists(MarkerDirectory))
        {
            return swept;
        }

        foreach (var file in Directory.GetFiles(MarkerDirectory, "vl*.pid"))
        {
            ct.ThrowIfCancellationRequested();
            var prefix = Path.GetFileNameWithoutExtension(file);
            if (!PrefixPattern().IsMatch(prefix) || OwnerAlive(file))
            {
                continue;
            }

            await DeletePrefixAsync(prefix, ct).ConfigureAwait(false);
            TryDeleteDirectory(Path.Combine(Path.GetTempPath(), "vipd-lab", prefix));
            swept.Add(prefix);
        }

        return swept;
    }

    /// <summary>The marker file of a prefix.</summary>
    public static string MarkerPath(string prefix) => Path.Combine(MarkerDirectory, prefix + ".pid");

    /// <summary>The namespaces (from /run/netns) named "<paramref name="prefix"/>-*".</summary>
    public static IReadOnlyList<string> NamespacesOf(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        if (!Directory.Exists(NetnsDirectory))
        {
            return [];
        }

        return [.. Directory.GetFiles(NetnsDirectory)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(n => n.StartsWith(prefix + "-", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>The content a marker gets for a process: "PID STARTTIME".</summary>
    public static string StartTimeOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields[19]; // field 22 of proc_pid_stat(5); fields[0] is field 3
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static bool OwnerAlive(string marker)
    {
        string[] parts;
        try
        {
            parts = File.ReadAllText(marker).Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        catch (IOException)
        {
            return true; // being written or removed by its owner: leave it
        }

        if (parts.Length == 0 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            // Empty or garbled: maybe being written right now (CreateNew, then write). Only an old one is stale.
            return DateTime.UtcNow - File.GetLastWriteTimeUtc(marker) < TimeSpan.FromSeconds(30);
        }

        if (!Posix.Exists(pid))
        {
            return false;
        }

        // Same PID but a different start time: the owner died and the PID was reused.
        return parts.Length < 2 || StartTimeOf(pid) == parts[1];
    }

    private static async Task DeletePrefixAsync(string prefix, CancellationToken ct)
    {
        if (!PrefixPattern().IsMatch(prefix))
        {
            throw new ArgumentException($"not a lab prefix: {prefix}", nameof(prefix));
        }

        var namespaces = NamespacesOf(prefix);
        await Task.WhenAll(namespaces.Select(KillNamespacePidsAsync)).ConfigureAwait(false);
        if (namespaces.Count > 0)
        {
            await Tool.RunAsync("ip", ["-force", "-batch", "-"], string.Concat(namespaces.Select(n => $"netns del {n}\n")), null, ct).ConfigureAwait(false);
        }

        // FRR instances of the lab (LabFrr): their config and run folders are named after the namespaces.
        foreach (var root in new[] { "/etc/frr", "/var/run/frr" })
        {
            if (!Directory.Exists(root))
            {
                continue;
            }

            foreach (var directory in Directory.GetDirectories(root, $"{prefix}-*"))
            {
                try
                {
                    Directory.Delete(directory, recursive: true);
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }

        try
        {
            File.Delete(MarkerPath(prefix));
        }
        catch (IOException)
        {
        }
    }

    /// <summary>SIGKILLs every process whose network namespace is <paramref name="ns"/> (only lab namespaces reach here).</summary>
    private static async Task KillNamespacePidsAsync(string ns)
    {
        for (var round = 0; round < 3; round++)
        {
            var result = await Tool.RunAsync("ip", ["netns", "pids", ns]).ConfigureAwait(false);
            var pids = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(t => int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
                .Where(pid => pid > 1 && pid != Environment.ProcessId)
                .ToList();
            if (pids.Count == 0)
            {
                return;
            }

            foreach (var pid in pids)
            {
                Posix.KillProcess(pid, Posix.SigKill);
            }

            var deadline = Environment.TickCount64 + 2000;
            while (pids.Any(Posix.Exists) && Environment.TickCount64 < deadline)
            {
                await Task.Delay(10, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    [GeneratedRegex("^vl[0-9a-f]{4}$")]
    private static partial Regex PrefixPattern();
}
