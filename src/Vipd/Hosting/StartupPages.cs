using System.Globalization;
using System.Runtime.InteropServices;

namespace Vipd.Hosting;

/// <summary>
/// Unmaps, from this process only, the pages of code and read-only data that start-up touched and idling does not:
/// once start-up is over (NodeService: the start-up grace after READY), <see cref="Release"/> gives every clean,
/// read-only, file-backed private mapping (the binary's code and read-only data, shared libraries' code) to
/// <c>madvise(MADV_DONTNEED)</c>.
/// </summary>
/// <remarks>
/// Why: the kernel maps file pages 64 KiB at a time around every fault ("fault-around") from the page cache, so
/// start-up (config, host, Serilog, every first call) leaves nearly the whole 18 MB binary in RSS, though an idle node
/// runs a small part of it. Those pages are shared page cache: dropping their page-table entries frees no host memory
/// by itself (the pages stay cached, shared with the other nodes' processes, and become reclaimable), but RSS then
/// counts what the daemon really uses; a page touched later faults back in from the cache (a minor fault, no I/O).
/// Safe by construction: only mappings that are not writable, private, file-backed and hold no anonymous (copied on
/// write) page are touched: their content is exactly the file's, so MADV_DONTNEED loses nothing. Relocated read-only
/// data (RELRO, the GOT) holds anonymous pages and is skipped. Never fails the daemon: an error is reported and
/// ignored.
/// </remarks>
internal static class StartupPages
{
    private const int MadviseDontNeed = 4;

    /// <summary>What <see cref="Release"/> did: mappings advised, their resident kB before, and an error if any.</summary>
    internal readonly record struct Result(int Mappings, long ResidentKiB, string? Error);

    /// <summary>Drops the clean read-only file mappings' pages from this process (see the type's remarks).</summary>
    public static Result Release()
    {
        if (!OperatingSystem.IsLinux())
        {
            return new Result(0, 0, "not Linux");
        }

        try
        {
            var mappings = 0;
            long resident = 0;
            string? error = null;
            foreach (var mapping in CleanReadOnlyFileMappings(File.ReadLines("/proc/self/smaps")))
            {
                if (Madvise((nint)mapping.Start, (nuint)(mapping.End - mapping.Start), MadviseDontNeed) != 0)
                {
                    // A locked mapping (EINVAL) keeps its pages; the others are still worth releasing.
                    error ??= Marshal.GetLastPInvokeErrorMessage();
                    continue;
                }

                mappings++;
                resident += mapping.ResidentKiB;
            }

            return new Result(mappings, resident, error);
        }
        catch (IOException ex)
        {
            return new Result(0, 0, ex.Message);
        }
    }

    /// <summary>One mapping of /proc/PID/smaps: its range, resident and anonymous kB, and whether it qualifies.</summary>
    internal readonly record struct Mapping(ulong Start, ulong End, long ResidentKiB);

    /// <summary>
    /// The mappings of an smaps text that are readable or executable but not writable, private, backed by a file
    /// (inode ≠ 0) and hold resident pages but no anonymous one.
    /// </summary>
    internal static IEnumerable<Mapping> CleanReadOnlyFileMappings(IEnumerable<string> smaps)
    {
        ulong start = 0, end = 0;
        var candidate = false;
        long rss = 0, anonymous = -1;
        foreach (var line in smaps)
        {
            if (IsHeader(line, out var s, out var e, out var qualifies))
            {
                if (candidate && rss > 0 && anonymous == 0)
                {
                    yield return new Mapping(start, end, rss);
                }

                (start, end, candidate, rss, anonymous) = (s, e, qualifies, 0, -1);
            }
            else if (line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                rss = KiB(line);
            }
            else if (line.StartsWith("Anonymous:", StringComparison.Ordinal))
            {
                anonymous = KiB(line);
            }
        }

        if (candidate && rss > 0 && anonymous == 0)
        {
            yield return new Mapping(start, end, rss);
        }
    }

    // "55c4157de000-55c415d1c000 r-xp 00023000 08:01 1234  /usr/bin/vipd": fields are address, perms, offset, dev,
    // inode, path. Field lines ("Rss:    12 kB") have no '-' range in their first word.
    private static bool IsHeader(string line, out ulong start, out ulong end, out bool qualifies)
    {
        (start, end, qualifies) = (0, 0, false);
        var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
        var dash = fields.Length >= 5 ? fields[0].IndexOf('-', StringComparison.Ordinal) : -1;
        if (dash <= 0 || fields[1].Length != 4
            || !ulong.TryParse(fields[0].AsSpan(0, dash), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out start)
            || !ulong.TryParse(fields[0].AsSpan(dash + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out end))
        {
            return false;
        }

        var perms = fields[1];
        var path = fields.Length > 5 ? fields[5].Trim() : "";
        qualifies = perms[1] == '-' && perms[3] == 'p' && (perms[0] == 'r' || perms[2] == 'x')
            && fields[4] != "0" && path.Length > 0 && path[0] != '[';
        return true;
    }

    private static long KiB(string line)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length >= 2 && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : -1;
    }

    // DllImport rather than LibraryImport: the generated stub needs unsafe code, which only Vipd.Linux may enable.
    [DllImport("libc", EntryPoint = "madvise", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Madvise(nint address, nuint length, int advice);
}
