using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Vipd.Hosting;
using Vipd.Tests.Checks;

namespace Vipd.Tests.Hosting;

/// <summary>WATCHDOG=1 only while every loop beats; a stale loop is named, a silent or dead one ends the process.</summary>
public sealed class LivenessMonitorTests : IDisposable
{
    private static readonly TimeSpan Check = LivenessOptions.Default.CheckInterval;
    private readonly FakeTimeProvider _time = new();
    private readonly ListLogger _logger = new();
    private readonly List<string> _exits = [];
    private readonly LivenessMonitor _monitor;
    private int _pings;

    public LivenessMonitorTests()
    {
        _monitor = new LivenessMonitor(LivenessOptions.Default, _time, _logger, () => _pings++, _exits.Add);
    }

    public void Dispose() => _monitor.Dispose();

    [Fact]
    public void Check_AllLoopsBeat_PingsEveryCheck()
    {
        var receive = _monitor.Register("gossip-receive");
        _monitor.Register("reconcile", beat => beat.Beat());
        _monitor.Start();
        var before = _pings;

        for (var i = 0; i < 20; i++)
        {
            receive.Beat();
            _time.Advance(Check);
        }

        Assert.Equal(20, _pings - before);
        Assert.Empty(_exits);
        Assert.DoesNotContain(_logger.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public void Check_LoopSilentPastStaleAfter_StopsPingsAndNamesLoop()
    {
        _monitor.Register("gossip-receive");
        _monitor.Register("reconcile", beat => beat.Beat());
        _monitor.Start();

        _time.Advance(LivenessOptions.Default.StaleAfter - Check);
        var fresh = _pings;
        _time.Advance(Check); // 5 s of silence
        _time.Advance(Check * 3);

        Assert.Equal(fresh, _pings);
        var stale = Assert.Single(_logger.Entries, e => e.Level == LogLevel.Error);
        Assert.Equal(120, stale.Id.Id);
        Assert.Contains("gossip-receive", stale.Message, StringComparison.Ordinal);
        Assert.Empty(_exits);
        Assert.False(_monitor.ExitRequested);
    }

    [Fact]
    public void Check_StaleLoopBeatsAgain_PingsResume()
    {
        var receive = _monitor.Register("gossip-receive");
        _monitor.Start();
        _time.Advance(LivenessOptions.Default.StaleAfter + Check);
        var stalled = _pings;

        receive.Beat();
        _time.Advance(Check);

        Assert.Equal(stalled + 1, _pings);
        Assert.Contains(_logger.Entries, e => e.Id.Id == 121 && e.Message.Contains("gossip-receive", StringComparison.Ordinal));
        Assert.Empty(_exits);
    }

    [Fact]
    public void Check_SolicitedLoopNeverRuns_GoesStaleThenExits()
    {
        var queued = new List<Action>(); // an executor that never runs what is posted to it
        _monitor.Register("reconcile", beat => queued.Add(beat.Beat));
        _monitor.Start();

        _time.Advance(LivenessOptions.Default.ExitAfter - Check);
        Assert.Empty(_exits);
        _time.Advance(Check);

        var reason = Assert.Single(_exits);
        Assert.Contains("reconcile", reason, StringComparison.Ordinal);
        Assert.Contains(_logger.Entries, e => e.Id.Id == 122 && e.Level == LogLevel.Error);
        Assert.True(_monitor.ExitRequested);
    }

    [Fact]
    public void Check_AfterExitRequested_NoMorePingsNoSecondExit()
    {
        _monitor.Register("membership-timers");
        _monitor.Start();
        _time.Advance(LivenessOptions.Default.ExitAfter);
        var pings = _pings;

        _time.Advance(LivenessOptions.Default.ExitAfter * 2);

        Assert.Single(_exits);
        Assert.Equal(pings, _pings);
    }

    [Fact]
    public void Fail_LoopDied_ExitsAtOnceAndLogsException()
    {
        var receive = _monitor.Register("gossip-receive");
        _monitor.Start();

        receive.Fail(new IOException("socket closed"));
        receive.Fail(new IOException("again"));

        var reason = Assert.Single(_exits);
        Assert.Contains("gossip-receive", reason, StringComparison.Ordinal);
        Assert.Contains(_logger.Entries, e => e.Id.Id == 123 && e.Level == LogLevel.Error && e.Message.Contains("gossip-receive", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_SolicitThrows_ExitsNamingLoop()
    {
        _monitor.Register("membership-timers", _ => throw new ObjectDisposedException("membership"));
        _monitor.Start();
        _time.Advance(Check);

        var reason = Assert.Single(_exits);
        Assert.Contains("membership-timers", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispose_StaleLoop_NeitherPingsNorExits()
    {
        _monitor.Register("gossip-receive");
        _monitor.Start();
        _monitor.Dispose();
        var pings = _pings;

        _time.Advance(LivenessOptions.Default.ExitAfter * 2);

        Assert.Equal(pings, _pings);
        Assert.Empty(_exits);
    }

    [Fact]
    public void Check_WedgedSerialExecutor_GoesStaleAndRecoversWhenItRuns()
    {
        using var executor = new SerialExecutor("liveness-test", _ => { });
        using var release = new ManualResetEventSlim();
        executor.Post(() => release.Wait(TimeSpan.FromSeconds(10)));
        _monitor.Register("reconcile", beat => executor.Post(beat.Beat));
        _monitor.Start();

        _time.Advance(LivenessOptions.Default.StaleAfter + Check);
        Assert.Contains(_logger.Entries, e => e.Id.Id == 120 && e.Message.Contains("reconcile", StringComparison.Ordinal));
        var stalled = _pings;

        release.Set();
        Assert.True(executor.Invoke(() => { }, TimeSpan.FromSeconds(5))); // the queued beats have run
        _time.Advance(Check);

        Assert.Equal(stalled + 1, _pings);
        Assert.Empty(_exits);
    }

    [Theory]
    [InlineData(null, 1000)]
    [InlineData(10_000, 1000)]
    [InlineData(400, 200)]
    public void For_WatchdogPeriod_ChecksAtLeastTwicePerPeriod(int? watchdogMs, int expectedCheckMs)
    {
        var options = LivenessOptions.For(watchdogMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedCheckMs), options.CheckInterval);
        Assert.Equal(LivenessOptions.Default.StaleAfter, options.StaleAfter);
        Assert.Equal(LivenessOptions.Default.ExitAfter, options.ExitAfter);
    }
}
