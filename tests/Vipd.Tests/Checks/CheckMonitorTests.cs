using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Vipd.Checks;
using Vipd.Core.Checks;
using Vipd.Core.Config;

namespace Vipd.Tests.Checks;

/// <summary>Timers and hysteresis on virtual time, with scripted probes.</summary>
public sealed class CheckMonitorTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly ProbeResult Pass = ProbeResult.Pass("ok");
    private static readonly ProbeResult Fail = ProbeResult.Fail("down");

    private readonly FakeTimeProvider _time = new();
    private readonly ListLogger _logger = new();
    private readonly List<CheckStatus> _changes = [];

    [Fact]
    public void Current_BeforeStart_IsEmpty()
    {
        using var monitor = Monitor(Checks.Make("a"), new ScriptedProbe().Then(Pass));
        Assert.Empty(monitor.Current);
    }

    [Fact]
    public void Start_FirstRunPasses_KnownButFailingUntilRise()
    {
        var probe = new ScriptedProbe().Then(Pass);
        using var monitor = Monitor(Checks.Make("a", rise: 2), probe);

        monitor.Start();

        Assert.Equal(1, probe.Runs);
        Assert.False(monitor.Current["a"].Passing);
        Assert.Equal("ok", monitor.Current["a"].Detail);
        Assert.Equal([new CheckStatus("a", false, "ok", null)], _changes);
        var log = Assert.Single(_logger.Entries, e => e.Id.Id == 5055 && e.Level == LogLevel.Information);
        Assert.Equal("Check a is failing: ok (pass 1 of 2 needed)", log.Message);
    }

    [Fact]
    public void Tick_RisePasses_FlipsToPassingOnce()
    {
        var probe = new ScriptedProbe().Then(Pass);
        using var monitor = Monitor(Checks.Make("a", rise: 3), probe);
        monitor.Start();

        _time.Advance(Interval);
        Assert.False(monitor.Current["a"].Passing);
        _time.Advance(Interval);
        Assert.True(monitor.Current["a"].Passing);
        _time.Advance(Interval);
        _time.Advance(Interval);

        Assert.Equal(5, probe.Runs);
        Assert.Equal([false, true], _changes.Select(c => c.Passing));
        var flip = Assert.Single(_logger.Entries, e => e.Id.Id == 5050);
        Assert.Equal(LogLevel.Information, flip.Level);
        Assert.Equal("Check a is passing: ok", flip.Message);
    }

    [Fact]
    public void Tick_FewerFailuresThanFall_StaysPassing()
    {
        var probe = new ScriptedProbe().Then(Pass, Fail, Fail, Pass, Fail, Fail, Fail);
        using var monitor = Monitor(Checks.Make("a", rise: 1, fall: 3), probe);
        monitor.Start();
        Assert.True(monitor.Current["a"].Passing);

        for (var i = 0; i < 5; i++)
        {
            _time.Advance(Interval);
            Assert.True(monitor.Current["a"].Passing);
        }

        _time.Advance(Interval);

        Assert.False(monitor.Current["a"].Passing);
        Assert.Equal("down", monitor.Current["a"].Detail);
        Assert.Equal([true, false], _changes.Select(c => c.Passing));
        Assert.Single(_logger.Entries, e => e.Id.Id == 5051);
    }

    [Fact]
    public void Tick_FailureBetweenPasses_RestartsRise()
    {
        var probe = new ScriptedProbe().Then(Pass, Fail, Pass, Pass);
        using var monitor = Monitor(Checks.Make("a", rise: 2), probe);
        monitor.Start();

        _time.Advance(Interval);
        _time.Advance(Interval);
        Assert.False(monitor.Current["a"].Passing);
        _time.Advance(Interval);

        Assert.True(monitor.Current["a"].Passing);
    }

    [Fact]
    public void Tick_BeforeInterval_DoesNotRun()
    {
        var probe = new ScriptedProbe().Then(Pass);
        using var monitor = Monitor(Checks.Make("a", interval: TimeSpan.FromSeconds(5)), probe);
        monitor.Start();

        _time.Advance(TimeSpan.FromSeconds(4.999));
        Assert.Equal(1, probe.Runs);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(2, probe.Runs);
    }

    [Fact]
    public void Tick_PassingFileValueChanges_RaisesChanged()
    {
        var probe = new ScriptedProbe().Then(ProbeResult.Pass("f: 10", 10), ProbeResult.Pass("f: 10", 10), ProbeResult.Pass("f: -5", -5));
        using var monitor = Monitor(Checks.Make("f", CheckType.File, rise: 1, path: "/x"), probe);
        monitor.Start();
        _time.Advance(Interval);
        _time.Advance(Interval);

        Assert.Equal([10, -5], _changes.Select(c => c.FileValue));
        Assert.Equal(-5, monitor.Current["f"].FileValue);
        Assert.Single(_logger.Entries, e => e.Id.Id == 5052);
    }

    [Fact]
    public void Tick_FileValueWhileFailing_IsNull()
    {
        var probe = new ScriptedProbe().Then(ProbeResult.Pass("f: 10", 10));
        using var monitor = Monitor(Checks.Make("f", CheckType.File, rise: 2, path: "/x"), probe);
        monitor.Start();

        Assert.Null(monitor.Current["f"].FileValue);
    }

    [Fact]
    public async Task Timeout_ProbeHangs_FailsWithTimedOut()
    {
        var probe = new ScriptedProbe().Then(Pass);
        using var monitor = Monitor(Checks.Make("a", rise: 1, fall: 1, timeout: TimeSpan.FromMilliseconds(300)), probe);
        using var changed = new SemaphoreSlim(0);
        monitor.Changed += _ => changed.Release();
        monitor.Start();
        Assert.True(monitor.Current["a"].Passing);
        Assert.True(changed.Wait(0));

        probe.Hang = true;
        _time.Advance(Interval);
        _time.Advance(TimeSpan.FromMilliseconds(299));
        Assert.True(monitor.Current["a"].Passing);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(await changed.WaitAsync(TimeSpan.FromSeconds(5)), "no flip after a timed-out run");
        Assert.False(monitor.Current["a"].Passing);
        Assert.Equal("timed out after 300 ms", monitor.Current["a"].Detail);
    }

    [Fact]
    public void Tick_RunStillGoing_SkipsTheTick()
    {
        var probe = new ScriptedProbe { Hang = true };
        using var monitor = Monitor(Checks.Make("a", interval: Interval, timeout: Interval), probe);
        monitor.Start();

        _time.Advance(TimeSpan.FromMilliseconds(999));

        Assert.Equal(1, probe.Runs);
    }

    [Fact]
    public void Changed_HandlerTakesMonitorLockOnAnotherThread_DoesNotDeadlock()
    {
        var probe = new ScriptedProbe().Then(Pass);
        var monitor = Monitor(Checks.Make("a", rise: 1), probe);
        var disposedInHandler = false;
        monitor.Changed += _ => disposedInHandler = Task.Run(monitor.Dispose).Wait(TimeSpan.FromSeconds(5));

        monitor.Start();

        Assert.True(disposedInHandler);
        Assert.True(probe.Disposed);
    }

    [Fact]
    public void Changed_HandlerThrows_IsLoggedAndStateKept()
    {
        var probe = new ScriptedProbe().Then(Pass);
        using var monitor = Monitor(Checks.Make("a", rise: 1), probe);
        monitor.Changed += _ => throw new InvalidOperationException("boom");

        monitor.Start();

        Assert.True(monitor.Current["a"].Passing);
        Assert.Single(_logger.Entries, e => e.Id.Id == 5054);
    }

    [Fact]
    public void Dispose_StopsTimers()
    {
        var probe = new ScriptedProbe().Then(Pass);
        var monitor = Monitor(Checks.Make("a"), probe);
        monitor.Start();
        monitor.Dispose();

        _time.Advance(Interval * 3);

        Assert.Equal(1, probe.Runs);
        Assert.True(probe.Disposed);
    }

    [Fact]
    public void Start_TwoChecks_EachOnItsOwnInterval()
    {
        var fast = new ScriptedProbe().Then(Pass);
        var slow = new ScriptedProbe().Then(Fail);
        var probes = new Dictionary<string, ScriptedProbe> { ["fast"] = fast, ["slow"] = slow };
        using var monitor = new CheckMonitor(
            [Checks.Make("fast", interval: TimeSpan.FromMilliseconds(200)), Checks.Make("slow", interval: TimeSpan.FromSeconds(2))],
            _time,
            _logger,
            c => probes[c.Name]);
        monitor.Start();

        _time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(11, fast.Runs);
        Assert.Equal(2, slow.Runs);
        Assert.True(monitor.Current["fast"].Passing);
        Assert.False(monitor.Current["slow"].Passing);
    }

    private CheckMonitor Monitor(CheckConfig check, ScriptedProbe probe)
    {
        var monitor = new CheckMonitor([check], _time, _logger, _ => probe);
        monitor.Changed += _changes.Add;
        return monitor;
    }
}
