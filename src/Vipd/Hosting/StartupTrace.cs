using System.Diagnostics;
using System.Globalization;

namespace Vipd.Hosting;

/// <summary>
/// An opt-in start-up trace (<c>VIPD_STARTUP_TRACE=1</c>): named marks with the monotonic clock
/// (<see cref="Stopwatch.GetTimestamp"/>, CLOCK_MONOTONIC in nanoseconds on Linux, the same clock in every process and
/// namespace of the host), kept in memory and written to stderr after READY=1 as one line each,
/// <c>vipd-startup-trace MARK NANOSECONDS</c>, so a benchmark can put them on its own clock next to the exec, then
/// <c>vipd-startup-gc GEN0 GEN1 GEN2 ALLOCATED_BYTES</c> (collections and bytes allocated so far). Off, a mark costs
/// one static bool test. Not a log: the marks must not slow the start they measure.
/// </summary>
internal static class StartupTrace
{
    /// <summary>The prefix of each written line.</summary>
    public const string LinePrefix = "vipd-startup-trace ";

    /// <summary>The prefix of the line with the GC counts at <see cref="Flush"/>.</summary>
    public const string GcLinePrefix = "vipd-startup-gc ";

    private const int Capacity = 64;

    private static readonly (string Mark, long At)[] Marks = new (string, long)[Capacity];
    private static int _count;

    /// <summary>True when <c>VIPD_STARTUP_TRACE=1</c>.</summary>
    public static bool Enabled { get; } = Environment.GetEnvironmentVariable("VIPD_STARTUP_TRACE") == "1";

    /// <summary>Records <paramref name="mark"/> at the current monotonic time (the first <see cref="Capacity"/> only).</summary>
    public static void Mark(string mark)
    {
        if (!Enabled)
        {
            return;
        }

        var at = Stopwatch.GetTimestamp();
        var index = Interlocked.Increment(ref _count) - 1;
        if (index < Capacity)
        {
            Marks[index] = (mark, at);
        }
    }

    /// <summary>Writes the marks recorded so far and the GC counts to stderr, and forgets the marks.</summary>
    public static void Flush()
    {
        if (!Enabled)
        {
            return;
        }

        var count = Math.Min(Interlocked.Exchange(ref _count, 0), Capacity);
        var nanosecondsPerTick = 1e9 / Stopwatch.Frequency;
        for (var i = 0; i < count; i++)
        {
            var (mark, at) = Marks[i];
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{LinePrefix}{mark} {(long)(at * nanosecondsPerTick)}"));
        }

        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{GcLinePrefix}{GC.CollectionCount(0)} {GC.CollectionCount(1)} {GC.CollectionCount(2)} {GC.GetTotalAllocatedBytes()}"));
    }
}
