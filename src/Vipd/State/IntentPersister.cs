using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vipd.Core.Intents;

namespace Vipd.State;

/// <summary>
/// Saves the intent store to <c>intents.json</c> after each change, coalescing bursts (at most one write per
/// <see cref="Delay"/>); <see cref="Dispose"/> writes what is still pending. A failed write is logged and retried at
/// the next change.
/// </summary>
public sealed class IntentPersister : IDisposable
{
    /// <summary>Changes within 100 ms share one write: a replace of many VIPs or a burst from a peer is one fsync.</summary>
    public static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(100);

    private readonly Lock _lock = new();
    private readonly IntentStore _store;
    private readonly string _path;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private long _savedRevision = -1;
    private bool _scheduled;
    private bool _disposed;

    /// <summary>Starts watching <paramref name="store"/>; call after loading the file into it.</summary>
    public IntentPersister(IntentStore store, string path, TimeProvider time, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(time);
        _store = store;
        _path = path;
        _logger = logger ?? NullLogger.Instance;
        _savedRevision = store.Revision;
        _timer = time.CreateTimer(static s => ((IntentPersister)s!).SaveNow(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        store.Changed += OnChanged;
    }

    /// <summary>Number of successful writes.</summary>
    public int Saves { get; private set; }

    /// <summary>Writes now if anything changed since the last write. True when the file is current.</summary>
    public bool SaveNow()
    {
        lock (_lock)
        {
            _scheduled = false;
            var revision = _store.Revision;
            if (revision == _savedRevision)
            {
                return true;
            }

            try
            {
                IntentFile.Save(_path, _store.Snapshot());
                _savedRevision = revision;
                Saves++;
                return true;
            }
            catch (Exception ex)
            {
                // Never let a failed save (disk full, permissions, a bug) take the daemon down: the next change retries.
                _logger.IntentSaveFailed(_path, ex);
                return false;
            }
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
            _store.Changed -= OnChanged;
            _timer.Dispose();
        }

        SaveNow();
    }

    private void OnChanged(IntentChange change)
    {
        lock (_lock)
        {
            if (_disposed || _scheduled)
            {
                return;
            }

            _scheduled = true;
            _timer.Change(Delay, Timeout.InfiniteTimeSpan);
        }
    }
}
