namespace Vipd.Core.Nodes;

/// <summary>
/// A <see cref="TimeProvider"/> whose timers run their callbacks on an <see cref="INodeLoop"/>: handed to every
/// component a <see cref="Node"/> owns, so their timers are inputs of the one loop like datagrams are. Clocks are
/// the inner provider's. A callback that was queued before its timer was changed or disposed is skipped when it
/// comes up (a changed timer has a new due time; a disposed one must stay silent).
/// </summary>
public sealed class LoopTimeProvider : TimeProvider
{
    private readonly TimeProvider _inner;
    private readonly INodeLoop _loop;

    public LoopTimeProvider(TimeProvider inner, INodeLoop loop)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(loop);
        _inner = inner;
        _loop = loop;
    }

    public override TimeZoneInfo LocalTimeZone => _inner.LocalTimeZone;

    public override long TimestampFrequency => _inner.TimestampFrequency;

    public override DateTimeOffset GetUtcNow() => _inner.GetUtcNow();

    public override long GetTimestamp() => _inner.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new LoopTimer(_loop, callback, state);
        timer.Attach(_inner.CreateTimer(static s => ((LoopTimer)s!).Fire(), timer, dueTime, period));
        return timer;
    }

    /// <summary>One timer: the inner timer fires on any thread and posts the callback, tagged with the timer's generation.</summary>
    private sealed class LoopTimer(INodeLoop loop, TimerCallback callback, object? state) : ITimer
    {
        private ITimer? _inner;
        private long _generation;
        private volatile bool _disposed;

        public void Attach(ITimer inner) => _inner = inner;

        public void Fire()
        {
            var generation = Interlocked.Read(ref _generation);
            loop.Post(() =>
            {
                if (!_disposed && Interlocked.Read(ref _generation) == generation)
                {
                    callback(state);
                }
            });
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref _generation);
            return _inner?.Change(dueTime, period) ?? false;
        }

        public void Dispose()
        {
            _disposed = true;
            _inner?.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
