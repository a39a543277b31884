using System.Collections.ObjectModel;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Vipd.Core.Checks;
using Vipd.Core.Config;

namespace Vipd.Checks;

/// <summary>
/// Runs every check on its own timer (first run at <see cref="Start"/>, then every <c>interval</c>, each run
/// bounded by <c>timeout</c>; a run still going when the next is due skips that tick) and applies rise/fall
/// hysteresis. A check is absent from <see cref="Current"/> until its first run ends, and then starts failing:
/// it passes only after <c>rise</c> consecutive passes (keepalived's <c>init_fail</c>), because a node that
/// has not yet seen its service healthy must not claim a VIP from one that has. A passing check fails after
/// <c>fall</c> consecutive failures.
/// </summary>
internal sealed class CheckMonitor : IDisposable
{
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Entry[] _entries;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private ReadOnlyDictionary<string, CheckStatus> _current = ReadOnlyDictionary<string, CheckStatus>.Empty;
    private bool _started;
    private bool _disposed;

    public CheckMonitor(IReadOnlyList<CheckConfig> checks, TimeProvider time, ILogger logger, Func<string, bool>? interfaceIsUp = null)
        : this(checks, time, logger, check => CheckProbes.Create(check, time, interfaceIsUp))
    {
    }

    /// <summary>For tests: probes made by <paramref name="probeFactory"/>.</summary>
    internal CheckMonitor(IReadOnlyList<CheckConfig> checks, TimeProvider time, ILogger logger, Func<CheckConfig, ICheckProbe> probeFactory)
    {
        ArgumentNullException.ThrowIfNull(checks);
        _time = time;
        _logger = logger;
        _entries = new Entry[checks.Count];
        for (var i = 0; i < checks.Count; i++)
        {
            _entries[i] = new Entry(checks[i], probeFactory(checks[i]));
        }
    }

    /// <summary>
    /// Raised when a check first becomes known (its first run ended), when its pass/fail state flips after
    /// hysteresis, and when a passing file check's value changes. Never raised under a lock; may be raised on
    /// a thread-pool thread (or inside <see cref="Start"/> for a probe that completes synchronously); handlers
    /// of different checks may run concurrently, those of one check run in order.
    /// </summary>
    public event Action<CheckStatus>? Changed;

    /// <summary>The known checks by name (a snapshot; the latest run's detail, the state after hysteresis).</summary>
    public IReadOnlyDictionary<string, CheckStatus> Current => Volatile.Read(ref _current);

    /// <summary>Runs every check once now, then on its interval.</summary>
    public void Start()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started)
            {
                return;
            }

            _started = true;
            foreach (var entry in _entries)
            {
                entry.Timer = _time.CreateTimer(static state => ((Tick)state!).Run(), new Tick(this, entry), entry.Config.Interval, entry.Config.Interval);
            }
        }

        foreach (var entry in _entries)
        {
            OnTick(entry);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _stopping.Cancel();
        foreach (var entry in _entries)
        {
            entry.Timer?.Dispose();
            entry.Probe.Dispose();
        }

        _stopping.Dispose();
    }

    private void OnTick(Entry entry)
    {
        if (Interlocked.Exchange(ref entry.Running, 1) == 1)
        {
            return;
        }

        _ = RunOnceAsync(entry);
    }

    private async Task RunOnceAsync(Entry entry)
    {
        try
        {
            ProbeResult result;
            CancellationToken stopping;
            try
            {
                stopping = _stopping.Token;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            var started = _time.GetTimestamp();
            using var timeout = new CancellationTokenSource(entry.Config.Timeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, stopping);
            try
            {
                result = await entry.Probe.RunAsync(linked.Token).WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException)
            {
                result = ProbeResult.Fail(string.Create(CultureInfo.InvariantCulture, $"timed out after {entry.Config.Timeout.TotalMilliseconds:0} ms"));
            }
            catch (Exception e)
            {
                result = ProbeResult.Fail(DetailText.Bound(e.Message));
            }

            if (!stopping.IsCancellationRequested)
            {
                Apply(entry, result, _time.GetElapsedTime(started));
            }
        }
        finally
        {
            Volatile.Write(ref entry.Running, 0);
        }
    }

    private void Apply(Entry entry, ProbeResult result, TimeSpan duration)
    {
        var name = entry.Config.Name;
        CheckLog.Ran(_logger, name, result.Passed, result.Detail);
        CheckStatus status;
        Change change;
        int passes;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            var wasKnown = entry.Known;
            var wasPassing = entry.Passing;
            var oldValue = entry.FileValue;
            if (result.Passed)
            {
                entry.Passes = Math.Min(entry.Passes, int.MaxValue - 1) + 1;
                entry.Failures = 0;
                if (!entry.Passing && entry.Passes >= entry.Config.Rise)
                {
                    entry.Passing = true;
                }

                entry.FileValue = result.FileValue;
            }
            else
            {
                entry.Failures = Math.Min(entry.Failures, int.MaxValue - 1) + 1;
                entry.Passes = 0;
                if (entry.Passing && entry.Failures >= entry.Config.Fall)
                {
                    entry.Passing = false;
                }

                entry.FileValue = null;
            }

            entry.Known = true;
            passes = entry.Passes;
            var value = entry.Passing ? entry.FileValue : null;
            status = new CheckStatus(name, entry.Passing, result.Detail, value, duration);
            var snapshot = new Dictionary<string, CheckStatus>(_current, StringComparer.Ordinal) { [name] = status };
            Volatile.Write(ref _current, snapshot.AsReadOnly());

            change = !wasKnown || wasPassing != entry.Passing ? Change.State
                : entry.Passing && value != (wasPassing ? oldValue : null) ? Change.Value
                : Change.None;
        }

        if (change == Change.None)
        {
            return;
        }

        if (change == Change.State)
        {
            if (status.Passing)
            {
                CheckLog.Passing(_logger, name, result.Detail);
            }
            else if (result.Passed)
            {
                // Known, but still short of rise passes (a check starts failing).
                CheckLog.Rising(_logger, name, result.Detail, passes, entry.Config.Rise);
            }
            else
            {
                CheckLog.Failing(_logger, name, result.Detail);
            }
        }
        else
        {
            CheckLog.ValueChanged(_logger, name, status.FileValue, result.Detail);
        }

        try
        {
            Changed?.Invoke(status);
        }
        catch (Exception e)
        {
            CheckLog.SubscriberFailed(_logger, e, name);
        }
    }

    private enum Change
    {
        None,
        State,
        Value,
    }

    private sealed class Entry(CheckConfig config, ICheckProbe probe)
    {
        public CheckConfig Config { get; } = config;

        public ICheckProbe Probe { get; } = probe;

        public ITimer? Timer { get; set; }

        public int Running;

        public bool Known { get; set; }

        public bool Passing { get; set; }

        public int Passes { get; set; }

        public int Failures { get; set; }

        public int? FileValue { get; set; }
    }

    private sealed class Tick(CheckMonitor monitor, Entry entry)
    {
        public void Run() => monitor.OnTick(entry);
    }
}
