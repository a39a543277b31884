using Vipd.Hosting;

namespace Vipd.Tests.Hosting;

/// <summary>Only clean, read-only, private file mappings lose their pages; the process keeps running.</summary>
public sealed class StartupPagesTests
{
    private static readonly string[] Smaps =
    [
        "55c4157de000-55c415800000 r-xp 00023000 08:01 1234                       /usr/bin/vipd",
        "Rss:                 100 kB",
        "Anonymous:             0 kB",
        // RELRO: read-only now, but relocated (copied on write) pages: must keep them.
        "55c415800000-55c415801000 r--p 00040000 08:01 1234                       /usr/bin/vipd",
        "Rss:                   4 kB",
        "Anonymous:             4 kB",
        // Writable data.
        "55c415801000-55c415900000 rw-p 00041000 08:01 1234                       /usr/bin/vipd",
        "Rss:                  40 kB",
        "Anonymous:             0 kB",
        // Anonymous memory (the GC heap), a shared file mapping, the stack, a mapping with nothing resident.
        "7f545f000000-7f545f312000 rw-p 00000000 00:00 0 ",
        "Rss:                3088 kB",
        "Anonymous:          3088 kB",
        "7f545f400000-7f545f401000 r--s 00000000 08:01 99                         /dev/shm/x",
        "Rss:                   4 kB",
        "Anonymous:             0 kB",
        "7ffd00000000-7ffd00021000 r--p 00000000 00:00 0                          [vvar]",
        "Rss:                   0 kB",
        "Anonymous:             0 kB",
        "7f5460000000-7f5460100000 r--p 00000000 08:01 77                         /usr/lib/x86_64-linux-gnu/libm.so.6",
        "Rss:                   0 kB",
        "Anonymous:             0 kB",
        "7f5461000000-7f5461100000 r-xp 00010000 08:01 78                         /usr/lib/x86_64-linux-gnu/libc.so.6",
        "Rss:                 900 kB",
        "Anonymous:             0 kB",
    ];

    [Fact]
    public void CleanReadOnlyFileMappings_OnlyPrivateReadOnlyFileMappingsWithoutAnonymousPages()
    {
        var mappings = StartupPages.CleanReadOnlyFileMappings(Smaps).ToList();

        Assert.Equal(
            [new StartupPages.Mapping(0x55c4157de000, 0x55c415800000, 100), new StartupPages.Mapping(0x7f5461000000, 0x7f5461100000, 900)],
            mappings);
    }

    [Fact]
    public void Release_InThisProcess_DropsResidentFilePagesAndTheProcessRunsOn()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var before = RssFileKiB();
        var result = StartupPages.Release();

        Assert.Null(result.Error);
        Assert.True(result.Mappings > 0, "no clean read-only file mapping found in the test host");
        Assert.True(RssFileKiB() < before, $"RssFile {before} kB did not drop");
        // Code and read-only data fault back in from the page cache: the runtime, the JIT and libc still work.
        var text = string.Join(",", Enumerable.Range(0, 1000).Select(i => (i * 7).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(4839, text.Length);
    }

    private static long RssFileKiB() => File.ReadLines("/proc/self/status").Where(l => l.StartsWith("RssFile:", StringComparison.Ordinal))
        .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture)).Single();
}
