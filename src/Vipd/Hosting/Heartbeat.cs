namespace Vipd.Hosting;

/// <summary>
/// One loop's entry in the <see cref="LivenessMonitor"/>: the loop calls <see cref="Beat"/> whenever it makes progress
/// (at least once a second, idle or not) and <see cref="Fail"/> when it dies. Thread-safe and allocation-free.
/// </summary>
internal sealed class Heartbeat
{
    private readonly LivenessMonitor _monitor;
    private readonly TimeProvider _time;
    private long _last;

    internal Heartbeat(LivenessMonitor monitor, string name, TimeProvider time, Action<Heartbeat>? solicit)
    {
        _monitor = monitor;
        Name = name;
        _time = time;
        Solicit = solicit;
        _last = time.GetTimestamp();
    }

    /// <summary>The loop's name, as the logs say it.</summary>
    public string Name { get; }

    /// <summary>Run at each check to ask the loop for a beat (e.g. post a no-op that beats), or null if it beats by itself.</summary>
    internal Action<Heartbeat>? Solicit { get; }

    /// <summary>How long since the last beat.</summary>
    public TimeSpan Silence => _time.GetElapsedTime(Volatile.Read(ref _last));

    /// <summary>The loop made progress.</summary>
    public void Beat() => Volatile.Write(ref _last, _time.GetTimestamp());

    /// <summary>The loop died with <paramref name="exception"/>: logged, and the process exits.</summary>
    public void Fail(Exception exception) => _monitor.Died(this, exception);
}
