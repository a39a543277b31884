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
/// (<see cref="SessionChanged"/>): a node with none Established is not eligible for BGP VIPs. FRR not running counts
/// as none at once; a bgpd that answers late or garbled keeps the last state for a few reads
/// (<see cref="SessionReadTracker"/>).
/// </summary>
internal sealed partial class FrrSync : IAsyncDisposable
{
    private static readonly TimeSpan VtyshTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The exit code <see cref="VtyshAsync"/> gives when vtysh did not finish in time (and was killed).</summary>
    private const int VtyshTimedOut = -1;

    /// <summary>
    /// How often the sessions' state is read (one query on bgpd's vty socket, ~0.1 ms of vipd's CPU): a node whose
    /// sessions all went down stops being eligible for BGP VIPs within about this long (FRR drops a session within its
    /// BFD detection time).
    /// </summary>
    public static readonly TimeSpan SessionPoll = TimeSpan.FromSeconds(1);

    /// <summary>Where FRR's daemons listen for vtysh (<c>/var/run/frr[/pathspace]/bgpd.vty</c>).</summary>
    private const string FrrStateDirectory = "/var/run/frr";

    /// <summary>How long bgpd may take to answer the session read on its vty (it answers in ~0.1 ms when idle).</summary>
    private static readonly TimeSpan VtyTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The most a vty answer may hold (a session table of a few hundred peers).</summary>
    private const int MaxVtyAnswer = 16 << 20;

    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly string _stateDirectory;
    private readonly TimeSpan _vtyTimeout;
    private readonly SessionReadTracker _reads;
    private Wanted _wanted = new(null, []);
    private string? _appliedDesired;
    private string? _appliedDigest;
    private string? _lastError;
    private long _applies;
    private long _failures;
    private (int IPv4, int IPv6) _established = (-1, -1);
    private int _establishedTotal = -1;
    private long _lastFullSync;
    private long _transientReadFailures;
    private long _definiteReadFailures;
    private bool _definiteLogged;

    public FrrSync(ILogger logger, TimeProvider time)
        : this(logger, time, FrrStateDirectory, VtyTimeout)
    {
    }

    /// <summary>With FRR's state directory and the vty timeout given (tests: a fake bgpd in a temporary folder).</summary>
    internal FrrSync(ILogger logger, TimeProvider time, string stateDirectory, TimeSpan vtyTimeout)
    {
        _logger = logger;
        _time = time;
        _stateDirectory = stateDirectory;
        _vtyTimeout = vtyTimeout;
        _reads = new SessionReadTracker(time);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Times vipd applied its objects to FRR.</summary>
    public long Applies => Interlocked.Read(ref _applies);

    /// <summary>Syncs that failed (vtysh missing or refusing a command, FRR not running).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Sessions with configured peers Established as last reported; -1 before the first report.</summary>
    public int EstablishedSessions => Volatile.Read(ref _establishedTotal);

    /// <summary>Session reads that failed transiently (bgpd too slow, a partial or garbled answer).</summary>
    public long TransientReadFailures => Interlocked.Read(ref _transientReadFailures);

    /// <summary>Session reads that failed definitely (FRR not running, no vty socket and no vtysh, bgpd refusing the command).</summary>
    public long DefiniteReadFailures => Interlocked.Read(ref _definiteReadFailures);

    /// <summary>
    /// The state of this node's BGP sessions changed (or was read for the first time), on the sync task: per address
    /// family, at least one with a configured peer of that family Established, or none (FRR not running counts as
    /// none at once, bgpd answering late or garbled only after <see cref="SessionReadTracker"/>'s hold).
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
                // While the session read is holding over a bgpd that does not answer, the periodic sync waits: its
                // vtysh would hang on that bgpd for up to VtyshTimeout and delay the reads that end the hold.
                if (woken || _lastFullSync == 0 || (_time.GetElapsedTime(_lastFullSync) >= interval && !_reads.Holding))
                {
                    _lastFullSync = _time.GetTimestamp();
                    await SyncOnceAsync().ConfigureAwait(false);
                }

                if (Volatile.Read(ref _wanted).Bgp is { } bgp)
                {
                    await ReadSessionsAsync(bgp).ConfigureAwait(false);
                }
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

    /// <summary>
    /// Reads the sessions with the configured peers (<c>show bgp neighbors json</c>), counts a failed read, lets
    /// <see cref="SessionReadTracker"/> decide what stands and reports a change. On the sync task only.
    /// </summary>
    internal async Task ReadSessionsAsync(BgpConfig bgp)
    {
        var read = await ReadOnceAsync(bgp).ConfigureAwait(false);
        var instance = Instance(bgp);
        if (read.Kind == SessionReadKind.Transient)
        {
            Interlocked.Increment(ref _transientReadFailures);
        }
        else if (read.Kind == SessionReadKind.Definite)
        {
            Interlocked.Increment(ref _definiteReadFailures);
            if (!_definiteLogged)
            {
                _definiteLogged = true;
                LogNoAnswer(_logger, instance, read.Reason);
            }
        }
        else
        {
            _definiteLogged = false;
        }

        var decision = _reads.Observe(read);
        if (decision.GaveUp)
        {
            LogReadGaveUp(_logger, instance, decision.Transients, read.Reason);
        }
        else if (read.Kind == SessionReadKind.Transient && decision.Transients == 1)
        {
            LogReadTransient(_logger, instance, read.Reason, SessionReadTracker.TransientLimit - 1, SessionReadTracker.HoldLimit.TotalSeconds);
        }
        else if (decision.Recovered > 0 && read.Kind == SessionReadKind.Answered)
        {
            LogReadRecovered(_logger, instance, decision.Recovered);
        }

        if (decision.Report is not { } established)
        {
            return;
        }

        var previous = _established;
        if (previous == established)
        {
            return;
        }

        _established = established;
        Volatile.Write(ref _establishedTotal, established.IPv4 + established.IPv6);
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

    /// <summary>One read of the sessions, classified (<see cref="SessionReadKind"/>).</summary>
    private async Task<SessionRead> ReadOnceAsync(BgpConfig bgp)
    {
        const string Command = "show bgp neighbors json";
        var socket = Path.Combine(_stateDirectory, bgp.Pathspace ?? string.Empty, "bgpd.vty");
        if (File.Exists(socket))
        {
            // bgpd's vty socket directly, as vtysh talks to it: a vtysh run costs ~35 ms of CPU (it builds its whole
            // command tree), this ~0.1 ms.
            return await ReadVtyAsync(socket, Command, bgp.Peers).ConfigureAwait(false);
        }

        if (!File.Exists(bgp.Vtysh))
        {
            return SessionRead.Definite($"neither {socket} nor {bgp.Vtysh} exists");
        }

        // A state directory other than FRR's default: vtysh knows where it is.
        try
        {
            var show = await VtyshAsync(bgp, [Command]).ConfigureAwait(false);
            return VtyshRead(show.ExitCode, show.Output, bgp.Peers);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return SessionRead.Definite($"cannot run {bgp.Vtysh}: {ex.Message}");
        }
    }

    /// <summary>
    /// <see cref="ReadOnceAsync"/> through vtysh: killed for taking too long or its output garbled (vtysh exits 0 with
    /// "error reading from bgpd" when bgpd's connection breaks mid-answer) is transient; bgpd or every daemon not
    /// running is definite; another failure (unexpected) is transient, so bounded by the hold.
    /// </summary>
    internal static SessionRead VtyshRead(int exitCode, string output, IReadOnlyList<BgpPeerConfig> peers)
    {
        if (exitCode == 0)
        {
            return AnswerRead(output, peers);
        }

        if (exitCode == VtyshTimedOut)
        {
            return SessionRead.Transient(output);
        }

        return output.Contains("is not running", StringComparison.Ordinal) || output.Contains("failed to connect to any daemons", StringComparison.Ordinal)
            ? SessionRead.Definite($"vtysh: {FirstLine(output)}")
            : SessionRead.Transient($"vtysh exited with {exitCode}: {FirstLine(output)}");
    }

    /// <summary>
    /// Classifies bgpd's output for the session read (command status 0): FRR's JSON object is an answer, whatever the
    /// sessions' state; FRR's own error text (<c>% ...</c>) is definite; anything else (empty, truncated, not an object)
    /// is garbled, transient.
    /// </summary>
    internal static SessionRead AnswerRead(string output, IReadOnlyList<BgpPeerConfig> peers)
    {
        if (CountEstablished(output, peers) is { } established)
        {
            return SessionRead.Answered(established);
        }

        var text = output.Trim();
        return text.StartsWith('%')
            ? SessionRead.Definite($"bgpd: {FirstLine(text)}")
            : SessionRead.Transient(text.Length == 0 ? "an empty answer" : "an answer that is not FRR's JSON");
    }

    private static string FirstLine(string text)
    {
        var trimmed = text.Trim();
        var end = trimmed.IndexOf('\n', StringComparison.Ordinal);
        return end < 0 ? trimmed : trimmed[..end].TrimEnd();
    }

    /// <summary>
    /// The session read on an FRR daemon's vty socket, as vtysh sends a command: the command and a NUL; the answer is
    /// the output, three NULs and a status byte (0 = success). Connection refused (a socket left by a dead bgpd), the
    /// socket gone or not ours to open, or a command bgpd refuses are definite; no answer within the vty timeout, the
    /// connection closed or reset before the end of the answer, an oversized or garbled answer or another socket error
    /// (a full backlog: EAGAIN) are transient.
    /// </summary>
    internal async Task<SessionRead> ReadVtyAsync(string socketPath, string command, IReadOnlyList<BgpPeerConfig> peers)
    {
        using var expiry = new CancellationTokenSource(_vtyTimeout, _time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, expiry.Token);
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
                    return SessionRead.Transient($"bgpd closed its vty after {answer.Length} bytes, before the end of its answer");
                }

                answer.Write(buffer, 0, read);
                if (VtyAnswer(answer.GetBuffer().AsSpan(0, (int)answer.Length)) is { } done)
                {
                    return done.Status == 0
                        ? AnswerRead(done.Output, peers)
                        : SessionRead.Definite($"bgpd refused '{command}' (status {done.Status}): {FirstLine(done.Output)}");
                }
            }

            return SessionRead.Transient($"bgpd's answer exceeds {MaxVtyAnswer} bytes");
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
            return SessionRead.Transient($"bgpd did not answer within {_vtyTimeout.TotalMilliseconds:0} ms");
        }
        catch (SocketException ex) when (!_stop.IsCancellationRequested)
        {
            return ex.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable or SocketError.AccessDenied
                ? SessionRead.Definite($"{socketPath}: {ex.Message}")
                : SessionRead.Transient($"{socketPath}: {ex.Message}");
        }
        catch (IOException ex) when (!_stop.IsCancellationRequested)
        {
            return SessionRead.Transient($"{socketPath}: {ex.Message}");
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
    /// (top-level keys are the neighbours' addresses). Null for output that is not a JSON object (garbled, truncated,
    /// an error text).
    /// </summary>
    internal static (int IPv4, int IPv6)? CountEstablished(string json, IReadOnlyList<BgpPeerConfig> peers)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
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
            return null;
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
            return (VtyshTimedOut, $"vtysh did not finish within {VtyshTimeout.TotalSeconds:0} s");
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

    [LoggerMessage(EventId = 135, Level = LogLevel.Warning, Message = "BGP: reading the sessions from FRR{Instance} failed ({Reason}): keeping their last state for up to {Reads} more failed reads within {HoldSeconds} s of the last answer")]
    private static partial void LogReadTransient(ILogger logger, string instance, string reason, int reads, double holdSeconds);

    [LoggerMessage(EventId = 136, Level = LogLevel.Warning, Message = "BGP: FRR{Instance} gave no usable answer {Count} reads in a row (last: {Reason}): counting no session until it answers")]
    private static partial void LogReadGaveUp(ILogger logger, string instance, int count, string reason);

    [LoggerMessage(EventId = 137, Level = LogLevel.Information, Message = "BGP: FRR{Instance} answers the session read again after {Count} failed reads")]
    private static partial void LogReadRecovered(ILogger logger, string instance, int count);

    [LoggerMessage(EventId = 138, Level = LogLevel.Warning, Message = "BGP: FRR{Instance} cannot answer the session read ({Reason}): no session")]
    private static partial void LogNoAnswer(ILogger logger, string instance, string reason);
}
