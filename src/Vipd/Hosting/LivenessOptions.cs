namespace Vipd.Hosting;

/// <summary>How often the <see cref="LivenessMonitor"/> looks, and how long a loop may stay silent.</summary>
internal sealed record LivenessOptions
{
    /// <summary>
    /// 5 s / 10 s / 1 s: every loop beats at least once a second (the receive loop on a 1 s idle timeout, the executor
    /// and the membership timers on each check), so 5 s of silence is a wedge, never a GC pause; exiting after 10 s
    /// comes before systemd's own kill (≈ 5 s + WatchdogSec = 15 s with the unit's WatchdogSec=10s), with a cleanup.
    /// </summary>
    public static readonly LivenessOptions Default = new();

    /// <summary>How often loops are checked (and WATCHDOG=1 sent while all are fresh).</summary>
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A loop silent this long is stale: watchdog pings stop and an Error names it.</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A loop silent this long ends the process (exit code 70), with or without systemd.</summary>
    public TimeSpan ExitAfter { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The defaults, checking at least twice per <paramref name="watchdog"/> period (<c>WATCHDOG_USEC</c>) so a
    /// healthy node pings systemd at least every WatchdogSec/2, as sd_watchdog_enabled(3) asks.
    /// </summary>
    public static LivenessOptions For(TimeSpan? watchdog) =>
        watchdog is { } period && period / 2 < Default.CheckInterval ? Default with { CheckInterval = period / 2 } : Default;
}
