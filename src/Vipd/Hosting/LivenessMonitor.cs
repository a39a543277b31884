using Microsoft.Extensions.Logging;

namespace Vipd.Hosting;

/// <summary>
/// Watches the loops a node cannot live without (gossip receive, reconcile executor, membership timers). Each registers
/// a <see cref="Heartbeat"/>; every <see cref="LivenessOptions.CheckInterval"/> the monitor solicits the beats it can
/// (a no-op posted to the executor, the membership's timer counter) and sends WATCHDOG=1 only while every loop beat
/// within <see cref="LivenessOptions.StaleAfter"/>. A stale loop stops the pings (systemd then kills the unit) and is
/// logged at Error; one silent for <see cref="LivenessOptions.ExitAfter"/>, or one that died, ends the process, with
/// or without systemd: a deaf node would declare every peer dead and take every VIP.
/// </summary>
internal sealed partial class LivenessMonitor : IDisposable
{
    private readonly Lock _lock = new();
    private readonly List<Heartbeat> _heartbeats = [];
    private readonly HashSet<Heartbeat> _stale = [];
    private readonly LivenessOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action _ping;
    private readonly Action<string> _exit;
    private ITimer? _timer;
    private int _exitRequested;
    private bool _disposed;

    /// <param name="options">Check interval and staleness bounds.</param>
    /// <param name="time">Clock and the check timer.</param>
    /// <param name="logger">Stale, recovered and dead loops.</param>
    /// <param name="ping">Sends WATCHDOG=1 (a no-op without systemd's watchdog).</param>
    /// <param name="exit">Ends the process, given the reason; called at most once, from the failing or checking thread.</param>
    public LivenessMonitor(LivenessOptions options, TimeProvider time, ILogger logger, Action ping, Action<string> exit)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(ping);
        ArgumentNullException.ThrowIfNull(exit);
        _options = options;
        _time = time;
        _logger = logger;
        _ping = ping;
        _exit = exit;
    }

    /// <summary>True once a loop died or stayed silent too long: the process is on its way out.</summary>
    public bool ExitRequested => Volatile.Read(ref _exitRequested) != 0;

    /// <summary>
    /// Adds a loop, fresh as of now. <paramref name="solicit"/> runs at each check to ask for a beat (e.g. post a
    /// no-op that beats); without it the loop must beat by itself at least once a second.
    /// </summary>
    public Heartbeat Register(string name, Action<Heartbeat>? solicit = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var heartbeat = new Heartbeat(this, name, _time, solicit);
        lock (_lock)
        {
            _heartbeats.Add(heartbeat);
        }

        return heartbeat;
    }

    /// <summary>Starts checking (and pinging) now and every <see cref="LivenessOptions.CheckInterval"/>.</summary>
    public void Start()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _timer ??= _time.CreateTimer(static state => ((LivenessMonitor)state!).Check(), this, TimeSpan.Zero, _options.CheckInterval);
        }
    }

    /// <summary>Stops checking and pinging (the node is stopping); a loop that dies later is still logged and exits.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
        }
    }

    /// <summary>A loop died: logged with its exception, and the process exits.</summary>
    internal void Died(Heartbeat heartbeat, Exception exception)
    {
        LogDied(_logger, heartbeat.Name, exception);
        RequestExit($"loop {heartbeat.Name} died: {exception.Message}");
    }

    /// <summary>One check: solicit beats, report loops that went stale or recovered, ping if all are fresh, exit if one is silent too long.</summary>
    internal void Check()
    {
        string? exitReason = null;
        Heartbeat? failed = null;
        Exception? failure = null;
        var healthy = true;
        lock (_lock)
        {
            if (_disposed || ExitRequested)
            {
                return;
            }

            foreach (var heartbeat in _heartbeats)
            {
                try
                {
                    heartbeat.Solicit?.Invoke(heartbeat);
                }
                catch (Exception ex)
                {
                    (failed, failure) = (heartbeat, ex);
                    break;
                }

                var silence = heartbeat.Silence;
                if (silence >= _options.ExitAfter)
                {
                    LogSilentExit(_logger, heartbeat.Name, (long)silence.TotalMilliseconds);
                    exitReason = $"loop {heartbeat.Name} silent for {(long)silence.TotalSeconds} s";
                    break;
                }

                if (silence >= _options.StaleAfter)
                {
                    healthy = false;
                    if (_stale.Add(heartbeat))
                    {
                        LogStale(_logger, heartbeat.Name, (long)silence.TotalMilliseconds, (long)_options.ExitAfter.TotalSeconds);
                    }
                }
                else if (_stale.Remove(heartbeat))
                {
                    LogRecovered(_logger, heartbeat.Name);
                }
            }
        }

        if (failed is not null && failure is not null)
        {
            Died(failed, failure);
        }
        else if (exitReason is not null)
        {
            RequestExit(exitReason);
        }
        else if (healthy)
        {
            _ping();
        }
    }

    private void RequestExit(string reason)
    {
        if (Interlocked.Exchange(ref _exitRequested, 1) == 0)
        {
            _exit(reason);
        }
    }

    [LoggerMessage(EventId = 120, Level = LogLevel.Error, Message = "Loop {Loop} silent for {ElapsedMs} ms: watchdog pings stop; vipd exits if it stays silent for {ExitAfterSeconds} s")]
    private static partial void LogStale(ILogger logger, string loop, long elapsedMs, long exitAfterSeconds);

    [LoggerMessage(EventId = 121, Level = LogLevel.Warning, Message = "Loop {Loop} beats again; watchdog pings resume")]
    private static partial void LogRecovered(ILogger logger, string loop);

    [LoggerMessage(EventId = 122, Level = LogLevel.Error, Message = "Loop {Loop} silent for {ElapsedMs} ms: exiting (code 70) so the peers elect new holders for this node's VIPs")]
    private static partial void LogSilentExit(ILogger logger, string loop, long elapsedMs);

    [LoggerMessage(EventId = 123, Level = LogLevel.Error, Message = "Loop {Loop} died: exiting (code 70) so the peers elect new holders for this node's VIPs")]
    private static partial void LogDied(ILogger logger, string loop, Exception exception);
}
