using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Vipd.Core.Bgp;
using Vipd.Core.Config;

namespace Vipd.Bgp;

/// <summary>
/// Keeps FRR holding vipd's objects (<see cref="FrrPlan"/>) through <c>vtysh</c>: at start, after a reload, and on a
/// slow timer (<c>[bgp] sync_interval</c>) that reads FRR's running config and applies again when the owned part
/// changed since vipd last applied it, which is what an FRR restart looks like. Runs on its own task: a vtysh run takes
/// tens of milliseconds and never delays the node loop. Advertising and withdrawing are not done here: they are the
/// address on <c>lo</c> that the announcer adds and removes, which FRR redistributes.
/// </summary>
internal sealed partial class FrrSync : IAsyncDisposable
{
    private static readonly TimeSpan VtyshTimeout = TimeSpan.FromSeconds(10);

    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private Wanted _wanted = new(null, []);
    private string? _appliedDesired;
    private string? _appliedDigest;
    private string? _lastError;
    private long _applies;
    private long _failures;

    public FrrSync(ILogger logger, TimeProvider time)
    {
        _logger = logger;
        _time = time;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Times vipd applied its objects to FRR.</summary>
    public long Applies => Interlocked.Read(ref _applies);

    /// <summary>Syncs that failed (vtysh missing or refusing a command, FRR not running).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>True when the last sync found FRR holding vipd's objects.</summary>
    public bool InSync => Volatile.Read(ref _lastError) is null && Volatile.Read(ref _appliedDigest) is not null;

    /// <summary>The config to hold in FRR (any thread); syncs at once. A null <paramref name="bgp"/> stops syncing.</summary>
    public void Update(BgpConfig? bgp, IEnumerable<VipConfig> vips)
    {
        Volatile.Write(ref _wanted, new Wanted(bgp, [.. vips.Where(v => v.Mode == VipMode.Bgp)]));
        Wake();
    }

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // A sync is already pending.
        }
    }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var interval = Volatile.Read(ref _wanted).Bgp?.SyncInterval ?? ConfigDefaults.BgpSyncInterval;
            try
            {
                await _wake.WaitAsync(interval, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await SyncOnceAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Fail($"syncing FRR: {ex.Message}");
            }
        }
    }

    private async Task SyncOnceAsync()
    {
        var (bgp, vips) = Volatile.Read(ref _wanted);
        if (bgp is null)
        {
            return;
        }

        if (!File.Exists(bgp.Vtysh))
        {
            Fail($"{bgp.Vtysh} does not exist (install FRR: apt-get install frr): BGP VIPs are bound on this node but not advertised; L2 VIPs are not affected");
            return;
        }

        var show = await VtyshAsync(bgp, ["show running-config"]).ConfigureAwait(false);
        if (show.ExitCode != 0)
        {
            Fail($"vtysh{Instance(bgp)} cannot read FRR's config (is FRR running with bgpd, bfdd and zebra?): {show.Output}");
            return;
        }

        var running = FrrConfigTree.Parse(show.Output);
        if (FrrPlan.OtherRouter(running, bgp) is { } other)
        {
            Fail($"FRR already runs '{other}', not AS {bgp.Asn} of [bgp]: vipd leaves it alone and advertises nothing");
            return;
        }

        var desired = FrrPlan.Desired(bgp, vips);
        var desiredKey = string.Join('\n', FrrPlan.Commands(desired, FrrConfigTree.Parse(string.Empty), bgp));
        var digest = FrrPlan.OwnedDigest(running, bgp);
        if (desiredKey == _appliedDesired && digest == _appliedDigest)
        {
            Recovered();
            return;
        }

        var reason = _appliedDesired is null ? "start" : desiredKey != _appliedDesired ? "config changed" : "FRR's copy changed (restarted or edited)";
        var commands = FrrPlan.Commands(desired, running, bgp);
        var started = _time.GetTimestamp();
        var apply = await VtyshAsync(bgp, commands).ConfigureAwait(false);
        if (apply.ExitCode != 0)
        {
            Fail($"vtysh{Instance(bgp)} refused vipd's FRR configuration: {apply.Output}");
            return;
        }

        var after = await VtyshAsync(bgp, ["show running-config"]).ConfigureAwait(false);
        if (after.ExitCode != 0)
        {
            Fail($"vtysh{Instance(bgp)} cannot read FRR's config: {after.Output}");
            return;
        }

        _appliedDesired = desiredKey;
        Volatile.Write(ref _appliedDigest, FrrPlan.OwnedDigest(FrrConfigTree.Parse(after.Output), bgp));
        Interlocked.Increment(ref _applies);
        var elapsed = (long)_time.GetElapsedTime(started).TotalMilliseconds;
        var instance = Instance(bgp);
        LogApplied(_logger, commands.Count, instance, reason, elapsed);
        Recovered();
    }

    private void Fail(string message)
    {
        Interlocked.Increment(ref _failures);
        if (Volatile.Read(ref _lastError) != message)
        {
            Volatile.Write(ref _lastError, message);
            LogFailed(_logger, message);
        }
    }

    private void Recovered()
    {
        if (Volatile.Read(ref _lastError) is not null)
        {
            Volatile.Write(ref _lastError, null);
            LogRecovered(_logger);
        }
    }

    private static string Instance(BgpConfig bgp) => bgp.Pathspace is { } ns ? $" -N {ns}" : string.Empty;

    private async Task<(int ExitCode, string Output)> VtyshAsync(BgpConfig bgp, IReadOnlyList<string> commands)
    {
        var start = new ProcessStartInfo(bgp.Vtysh)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (bgp.Pathspace is { } pathspace)
        {
            start.ArgumentList.Add("-N");
            start.ArgumentList.Add(pathspace);
        }

        foreach (var command in commands)
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(command);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {bgp.Vtysh}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(VtyshTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            return (-1, $"vtysh did not finish within {VtyshTimeout.TotalSeconds:0} s");
        }

        var output = await stdout.ConfigureAwait(false);
        var errors = (await stderr.ConfigureAwait(false)).Trim();
        return (process.ExitCode, process.ExitCode == 0 ? output : $"{errors} {output}".Trim());
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        _wake.Dispose();
    }

    private sealed record Wanted(BgpConfig? Bgp, IReadOnlyList<VipConfig> Vips);

    [LoggerMessage(EventId = 130, Level = LogLevel.Information, Message = "Applied {Count} vtysh commands to FRR{Instance} ({Reason}) in {ElapsedMs} ms")]
    private static partial void LogApplied(ILogger logger, int count, string instance, string reason, long elapsedMs);

    [LoggerMessage(EventId = 131, Level = LogLevel.Error, Message = "BGP: {Message}")]
    private static partial void LogFailed(ILogger logger, string message);

    [LoggerMessage(EventId = 132, Level = LogLevel.Information, Message = "BGP: FRR holds vipd's configuration again")]
    private static partial void LogRecovered(ILogger logger);
}
