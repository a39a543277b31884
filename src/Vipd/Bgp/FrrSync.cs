using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Vipd.Core.Bgp;
using Vipd.Core.Checks;
using Vipd.Core.Config;

namespace Vipd.Bgp;

/// <summary>
/// Keeps FRR holding vipd's objects (<see cref="FrrPlan"/>) through <c>vtysh</c>: at start, after a reload, and on a
/// slow timer (<c>[bgp] sync_interval</c>) that reads FRR's running config and applies again when the owned part
/// changed since vipd last applied it, which is what an FRR restart looks like. Runs on its own task: a vtysh run takes
/// tens of milliseconds and never delays the node loop. Advertising and withdrawing are not done here: they are the
/// address on <c>lo</c> that the announcer adds and removes, which FRR redistributes. Every
/// <see cref="SessionPoll"/> it also reads the state of the sessions with the <c>[[bgp.peer]]</c>s
/// (<see cref="SessionChanged"/>): a node with none Established is not eligible for BGP VIPs.
/// </summary>
internal sealed partial class FrrSync : IAsyncDisposable
{
    private static readonly TimeSpan VtyshTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often the sessions' state is read (one query on bgpd's vty socket, ~0.1 ms of vipd's CPU): a node whose
    /// sessions all went down stops being eligible for BGP VIPs within about this long (FRR drops a session within its
    /// BFD detection time).
    /// </summary>
    public static readonly TimeSpan SessionPoll = TimeSpan.FromSeconds(1);

    /// <summary>Where FRR's daemons listen for vtysh (<c>/var/run/frr[/pathspace]/bgpd.vty</c>).</summary>
    private const string FrrStateDirectory = "/var/run/frr";

    private static readonly TimeSpan VtyTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The most a vty answer may hold (a session table of a few hundred peers).</summary>
    private const int MaxVtyAnswer = 16 << 20;

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
    private (int IPv4, int IPv6) _established = (-1, -1);
    private int _establishedTotal = -1;
    private long _lastFullSync;

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

    /// <summary>Sessions with configured peers Established at the last read; -1 before the first.</summary>
    public int EstablishedSessions => Volatile.Read(ref _establishedTotal);

    /// <summary>
    /// The state of this node's BGP sessions changed (or was read for the first time), on the sync task: per address
    /// family, at least one with a configured peer of that family Established, or none (FRR not running or not
    /// answering counts as none).
    /// </summary>
    public event Action<BgpSessions>? SessionChanged;

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
            bool woken;
            try
            {
                woken = await _wake.WaitAsync(interval < SessionPoll ? interval : SessionPoll, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                if (woken || _lastFullSync == 0 || _time.GetElapsedTime(_lastFullSync) >= interval)
                {
                    _lastFullSync = _time.GetTimestamp();
                    await SyncOnceAsync().ConfigureAwait(false);
                }

                await ReadSessionsAsync().ConfigureAwait(false);
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

    /// <summary>Reads the sessions with the configured peers (<c>show bgp neighbors json</c>) and reports a change.</summary>
    private async Task ReadSessionsAsync()
    {
        var bgp = Volatile.Read(ref _wanted).Bgp;
        if (bgp is null)
        {
            return;
        }

        const string Command = "show bgp neighbors json";
        var socket = Path.Combine(FrrStateDirectory, bgp.Pathspace ?? string.Empty, "bgpd.vty");
        string? answer;
        if (File.Exists(socket))
        {
            // bgpd's vty socket directly, as vtysh talks to it: a vtysh run costs ~35 ms of CPU (it builds its whole
            // command tree), this ~0.1 ms. bgpd not answering counts as no session.
            answer = await QueryVtyAsync(socket, Command).ConfigureAwait(false);
        }
        else if (File.Exists(bgp.Vtysh))
        {
            // A state directory other than FRR's default: vtysh knows where it is.
            var show = await VtyshAsync(bgp, [Command]).ConfigureAwait(false);
            answer = show.ExitCode == 0 ? show.Output : null;
        }
        else
        {
            answer = null;
        }

        (int IPv4, int IPv6) established = answer is null ? (0, 0) : CountEstablished(answer, bgp.Peers);
        var previous = _established;
        if (previous == established)
        {
            return;
        }

        _established = established;
        Volatile.Write(ref _establishedTotal, established.IPv4 + established.IPv6);
        var instance = Instance(bgp);
        if (established.IPv4 + established.IPv6 > 0)
        {
            LogSessions(_logger, established.IPv4 + established.IPv6, bgp.Peers.Count, instance);
        }
        else
        {
            LogNoSession(_logger, instance);
        }

        static BgpSessions State((int IPv4, int IPv6) count) => new(
            count.IPv4 > 0 ? BgpSessionState.Established : BgpSessionState.Down,
            count.IPv6 > 0 ? BgpSessionState.Established : BgpSessionState.Down);
        if (previous.IPv4 < 0 || State(previous) != State(established))
        {
            SessionChanged?.Invoke(State(established));
        }
    }

    /// <summary>
    /// One command on an FRR daemon's vty socket, as vtysh sends it: the command and a NUL; the answer is the output,
    /// three NULs and a status byte (0 = success). Null when the daemon does not answer in time or the command failed.
    /// </summary>
    internal async Task<string?> QueryVtyAsync(string socketPath, string command)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(VtyTimeout);
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), timeout.Token).ConfigureAwait(false);
            await socket.SendAsync(Encoding.UTF8.GetBytes(command + "\0"), SocketFlags.None, timeout.Token).ConfigureAwait(false);
            var answer = new MemoryStream();
            var buffer = new byte[16384];
            while (answer.Length <= MaxVtyAnswer)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return null;
                }

                answer.Write(buffer, 0, read);
                if (VtyAnswer(answer.GetBuffer().AsSpan(0, (int)answer.Length)) is { } done)
                {
                    return done.Status == 0 ? done.Output : null;
                }
            }

            return null;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or IOException && !_stop.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>The output and status of a complete vty answer (output, <c>\0\0\0</c>, status byte); null while incomplete.</summary>
    internal static (string Output, byte Status)? VtyAnswer(ReadOnlySpan<byte> received)
    {
        var end = received.IndexOf("\0\0\0"u8);
        return end < 0 || received.Length < end + 4 ? null : (Encoding.UTF8.GetString(received[..end]), received[end + 3]);
    }

    /// <summary>
    /// How many of <paramref name="peers"/>, IPv4 and IPv6, FRR's <c>show bgp neighbors json</c> lists with <c>"bgpState":"Established"</c>
    /// (top-level keys are the neighbours' addresses). Output that is not such JSON counts none.
    /// </summary>
    internal static (int IPv4, int IPv6) CountEstablished(string json, IReadOnlyList<BgpPeerConfig> peers)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (0, 0);
            }

            var (ipv4, ipv6) = (0, 0);
            foreach (var neighbour in document.RootElement.EnumerateObject())
            {
                if (IPAddress.TryParse(neighbour.Name, out var address)
                    && peers.Any(p => p.Address.Equals(address))
                    && neighbour.Value.ValueKind == JsonValueKind.Object
                    && neighbour.Value.TryGetProperty("bgpState", out var state)
                    && state.ValueKind == JsonValueKind.String
                    && state.ValueEquals("Established"u8))
                {
                    if (address.AddressFamily == AddressFamily.InterNetworkV6)
                    {
                        ipv6++;
                    }
                    else
                    {
                        ipv4++;
                    }
                }
            }

            return (ipv4, ipv6);
        }
        catch (JsonException)
        {
            return (0, 0);
        }
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

    [LoggerMessage(EventId = 133, Level = LogLevel.Information, Message = "BGP: {Established} of {Peers} [[bgp.peer]] sessions Established in FRR{Instance}")]
    private static partial void LogSessions(ILogger logger, int established, int peers, string instance);

    [LoggerMessage(EventId = 134, Level = LogLevel.Warning, Message = "BGP: no [[bgp.peer]] session Established in FRR{Instance}: this node is not eligible for BGP VIPs until one is")]
    private static partial void LogNoSession(ILogger logger, string instance);
}
