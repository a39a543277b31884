using System.Diagnostics;
using System.Globalization;
using Vipd.Checks;

namespace Vipd.Tests.Checks;

/// <summary>exec checks run real processes.</summary>
public sealed class ExecProbeTests
{
    private static int _unique = 1000;

    [Fact]
    public async Task RunAsync_True_Passes()
    {
        using var probe = new ExecProbe(["/bin/true"], null, TimeProvider.System);
        var result = await probe.RunAsync(CancellationToken.None);
        Assert.True(result.Passed);
        Assert.Equal("exit 0", result.Detail);
    }

    [Fact]
    public async Task RunAsync_False_Fails()
    {
        using var probe = new ExecProbe(["/bin/false"], null, TimeProvider.System);
        var result = await probe.RunAsync(CancellationToken.None);
        Assert.False(result.Passed);
        Assert.Equal("exit 1", result.Detail);
    }

    [Fact]
    public async Task RunAsync_Output_FirstLineInDetailNoShell()
    {
        using var probe = new ExecProbe(["/bin/echo", "first $HOME;", "x\nsecond"], null, TimeProvider.System);
        var result = await probe.RunAsync(CancellationToken.None);
        Assert.Equal("exit 0: first $HOME; x", result.Detail);
    }

    [Fact]
    public async Task RunAsync_StderrOnly_InDetail()
    {
        using var probe = new ExecProbe(["/bin/ls", "/nonexistent-vipd-check"], null, TimeProvider.System);
        var result = await probe.RunAsync(CancellationToken.None);
        Assert.False(result.Passed);
        Assert.StartsWith("exit 2: /bin/ls: cannot access", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_LongOutput_DetailBounded()
    {
        using var probe = new ExecProbe(["/usr/bin/seq", "-s", " ", "1", "200000"], null, TimeProvider.System);
        var result = await probe.RunAsync(CancellationToken.None);
        Assert.True(result.Passed);
        Assert.Equal(DetailText.MaxLength, result.Detail.Length);
    }

    [Fact]
    public async Task RunAsync_MissingProgram_Fails()
    {
        using var probe = new ExecProbe(["/nonexistent/vipd-check"], null, TimeProvider.System);
        var result = await probe.RunAsync(CancellationToken.None);
        Assert.False(result.Passed);
        Assert.Contains("/nonexistent/vipd-check", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_AsNobody_RunsWithItsUid()
    {
        Assert.True(Environment.UserName == "root", "runs as root, as vipd does");
        using var probe = new ExecProbe(["/usr/bin/id", "-u"], "nobody", TimeProvider.System);
        var result = await probe.RunAsync(CancellationToken.None);
        Assert.True(result.Passed, result.Detail);
        Assert.Equal("exit 0: 65534", result.Detail);

        using var groups = new ExecProbe(["/usr/bin/id", "-G"], "nobody", TimeProvider.System);
        Assert.DoesNotContain(" 0", " " + (await groups.RunAsync(CancellationToken.None)).Detail[8..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_UnknownUser_Fails()
    {
        using var probe = new ExecProbe(["/usr/bin/id", "-u"], "vipd-no-such-user", TimeProvider.System);
        var result = await probe.RunAsync(CancellationToken.None);
        Assert.False(result.Passed);
        Assert.Equal("unknown user vipd-no-such-user", result.Detail);
    }

    [Fact]
    public async Task Monitor_SleepPastTimeout_FailsAndKilled()
    {
        // A unique duration finds our sleep in /proc without a shell.
        var seconds = UniqueSeconds(10);
        var timeout = TimeSpan.FromMilliseconds(400);
        var check = Checks.Make("sleep", rise: 1, fall: 1, interval: TimeSpan.FromSeconds(30), timeout: timeout, command: ["/bin/sleep", seconds]);
        using var monitor = new CheckMonitor([check], TimeProvider.System, new ListLogger());
        using var changed = new SemaphoreSlim(0);
        monitor.Changed += _ => changed.Release();

        var started = Stopwatch.StartNew();
        monitor.Start();
        var pid = await FindProcessAsync(seconds);
        Assert.True(await changed.WaitAsync(TimeSpan.FromSeconds(3)), "no verdict");
        var elapsed = started.Elapsed;

        // Timers fire late on a loaded 2-core CI box, so the bound here is loose; the next test bounds the kill.
        Assert.InRange(elapsed, timeout - TimeSpan.FromMilliseconds(20), timeout + TimeSpan.FromSeconds(1));
        Assert.False(monitor.Current["sleep"].Passing);
        Assert.Equal("timed out after 400 ms", monitor.Current["sleep"].Detail);
        // Process.Kill(entireProcessTree) stops the tree, then kills it: on a loaded box that takes a moment.
        Assert.True(await GoneAsync(pid, TimeSpan.FromSeconds(1)), $"sleep {pid} still alive: {Stat(pid)}");
    }

    [Fact]
    public async Task RunAsync_TimeoutFires_KilledAtOnce()
    {
        var seconds = UniqueSeconds(10);
        using var probe = new ExecProbe(["/bin/sleep", seconds], null, TimeProvider.System);
        var watch = Stopwatch.StartNew();
        var fired = TimeSpan.Zero;
        using var timeout = new CancellationTokenSource();
        using var registration = timeout.Token.Register(() => fired = watch.Elapsed);
        var run = probe.RunAsync(timeout.Token);
        var pid = await FindProcessAsync(seconds);
        timeout.CancelAfter(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        var gone = await GoneAsync(pid, TimeSpan.FromSeconds(1));

        // "At once": within a second of the timeout, against a sleep of ten or more (a loaded 2-core box is slow).
        Assert.True(gone, $"sleep {pid} still alive: {Stat(pid)}");
        Assert.InRange(watch.Elapsed - fired, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task RunAsync_Cancelled_KillsChildrenToo()
    {
        var seconds = UniqueSeconds(11);
        using var probe = new ExecProbe(["/usr/bin/timeout", "20", "/bin/sleep", seconds], null, TimeProvider.System);
        using var cancel = new CancellationTokenSource();
        var run = probe.RunAsync(cancel.Token);
        var pid = await FindProcessAsync(seconds);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.True(await GoneAsync(pid, TimeSpan.FromMilliseconds(500)), $"grandchild sleep {pid} still alive: {Stat(pid)}");
    }

    private static string UniqueSeconds(int whole) =>
        string.Create(CultureInfo.InvariantCulture, $"{whole}.{Environment.ProcessId}{Interlocked.Increment(ref _unique)}");

    private static async Task<int> FindProcessAsync(string argument)
    {
        for (var i = 0; i < 100; i++)
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(dir), out var pid) && ReadCmdline(pid) is { } cmdline && cmdline == $"/bin/sleep\0{argument}\0")
                {
                    return pid;
                }
            }

            await Task.Delay(10);
        }

        throw new InvalidOperationException($"sleep {argument} never started");
    }

    private static string Stat(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "gone";
        }
    }

    private static string? ReadCmdline(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// True once /proc has no such PID (killed and reaped), it is a zombie (killed; a grandchild waits for init,
    /// which in some containers never reaps), or the PID was reused by another program.
    /// </summary>
    private static async Task<bool> GoneAsync(int pid, TimeSpan within)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < within)
        {
            var stat = Stat(pid);
            if (stat == "gone" || stat.Contains(") Z ", StringComparison.Ordinal) || (ReadCmdline(pid) is { Length: > 0 } cmdline && !cmdline.StartsWith("/bin/sleep", StringComparison.Ordinal)))
            {
                return true;
            }

            await Task.Delay(10);
        }

        return false;
    }
}
