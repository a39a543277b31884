using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Vipd.Lab.Daemon;
using Xunit.Abstractions;

namespace Vipd.Lab.Tests;

/// <summary>
/// The sd_notify protocol as systemd's side sees it: a real vipd in a one-node lab, NOTIFY_SOCKET pointing at a Unix
/// datagram socket this test binds (a filesystem path, so it reaches across network namespaces), WATCHDOG_USEC set.
/// </summary>
public sealed class SystemdLabTests : IAsyncLifetime
{
    /// <summary>WATCHDOG_USEC given to vipd: 400 ms, so it pings every 200 ms.</summary>
    private const int WatchdogUsec = 400_000;

    private readonly ITestOutputHelper _output;
    private readonly ConcurrentQueue<(TimeSpan At, string Message)> _messages = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private LabNetwork _lab = null!;
    private string _directory = null!;
    private string _notifyPath = null!;
    private Socket _notify = null!;
    private Thread _receiver = null!;
    private volatile bool _stopping;

    public SystemdLabTests(ITestOutputHelper output) => _output = output;

    private LabHost Node => _lab.Nodes[0];

    public async Task InitializeAsync()
    {
        _lab = await LabNetwork.CreateAsync(1);
        _directory = Path.Combine(Path.GetTempPath(), $"{_lab.Prefix}-systemd");
        Directory.CreateDirectory(_directory);
        await File.WriteAllTextAsync(Path.Combine(_directory, "cluster.key"), Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path.Combine(_directory, "cluster.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        _notifyPath = Path.Combine(_directory, "notify.sock");
        _notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { ReceiveTimeout = 100 };
        _notify.Bind(new UnixDomainSocketEndPoint(_notifyPath));
        _receiver = new Thread(Receive) { IsBackground = true, Name = "notify-receiver" };
        _receiver.Start();
    }

    public async Task DisposeAsync()
    {
        _stopping = true;
        _receiver.Join(TimeSpan.FromSeconds(2));
        _notify.Dispose();
        await _lab.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Run_WithNotifySocketAndWatchdog_SendsReadyWatchdogAndStopping()
    {
        var config = await WriteConfigAsync();
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["NOTIFY_SOCKET"] = _notifyPath,
            ["WATCHDOG_USEC"] = WatchdogUsec.ToString(CultureInfo.InvariantCulture),
        };
        var started = _clock.Elapsed;
        await using var vipd = Node.Start(VipdBinary.Find(), ["run", "--config", config], env);

        // READY=1 once the node serves alone (no peers: no join wait, one settle round, then the first election).
        var ready = await WaitForAsync(m => m.StartsWith("READY=1\n", StringComparison.Ordinal), TimeSpan.FromSeconds(10), vipd);
        var readyAfter = ready.At - started;
        _output.WriteLine($"READY=1 {readyAfter.TotalMilliseconds:0} ms after start: {ready.Message.Replace('\n', '|')}");
        Assert.True(readyAfter < TimeSpan.FromSeconds(5), $"READY=1 took {readyAfter.TotalMilliseconds:0} ms");
        Assert.Contains("STATUS=serving 1 VIPs", ready.Message, StringComparison.Ordinal);

        // WATCHDOG=1 every WATCHDOG_USEC / 2 = 200 ms: watch for 2 s.
        var watchFrom = _clock.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(2));
        var pings = _messages.Where(m => m.Message == "WATCHDOG=1" && m.At >= watchFrom && m.At < watchFrom + TimeSpan.FromSeconds(2)).Select(m => m.At).ToList();
        var gaps = pings.Zip(pings.Skip(1), (a, b) => (b - a).TotalMilliseconds).Order().ToList();
        Assert.True(gaps.Count >= 5, $"only {pings.Count} WATCHDOG=1 in 2 s; output:\n{string.Join('\n', vipd.Output)}");
        var median = gaps[gaps.Count / 2];
        _output.WriteLine($"WATCHDOG=1: {pings.Count} in 2 s, gap median {median:0} ms, min {gaps[0]:0} ms, max {gaps[^1]:0} ms");
        Assert.InRange(pings.Count, 7, 13);
        Assert.InRange(median, 150, 260);
        Assert.True(gaps[^1] < 400, $"a gap of {gaps[^1]:0} ms would have tripped a {WatchdogUsec / 1000} ms watchdog");

        // The node serves alone, so it holds the VIP.
        Assert.Contains(LabNetwork.Vip4, await Node.AddressesAsync());

        // SIGTERM (systemctl stop): STOPPING=1, exit 0, VIP unbound.
        var stopAt = _clock.Elapsed;
        vipd.Kill(LabProcess.SigTerm);
        Assert.True(await vipd.WaitForExitAsync(TimeSpan.FromSeconds(15)), "vipd still runs 15 s after SIGTERM");
        var exitedAfter = _clock.Elapsed - stopAt;
        var stopping = Assert.Single(_messages, m => m.Message.StartsWith("STOPPING=1\n", StringComparison.Ordinal) && m.At >= stopAt);
        _output.WriteLine($"STOPPING=1 {(stopping.At - stopAt).TotalMilliseconds:0} ms after SIGTERM, exit {vipd.ExitCode} after {exitedAfter.TotalMilliseconds:0} ms");
        Assert.True(vipd.ExitCode == 0, $"exit {vipd.ExitCode} {exitedAfter.TotalMilliseconds:0} ms after SIGTERM (143 after ~2 s: System.CommandLine's default ProcessTerminationTimeout ended the handover)");
        Assert.DoesNotContain(LabNetwork.Vip4, await Node.AddressesAsync());
        Assert.True(_messages.Count(m => m.Message.StartsWith("READY=1\n", StringComparison.Ordinal)) <= 1, "READY=1 sent more than once");
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Run_AsUnitCredentials_ServesAndCleanupAfterCrashUnbinds()
    {
        // vipd.service's credentials, emulated with setpriv: a non-root user, exactly CAP_NET_ADMIN, CAP_NET_RAW,
        // CAP_SETUID and CAP_SETGID as ambient capabilities and bounding set, no_new_privs. nobody (65534) stands in
        // for the vipd user.
        const string caps = "-all,+net_admin,+net_raw,+setuid,+setgid";
        string[] unit = ["--reuid=65534", "--regid=65534", "--clear-groups", $"--inh-caps={caps}", $"--ambient-caps={caps}", $"--bounding-set={caps}", "--no-new-privs"];
        var config = await WriteConfigAsync();
        var open = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(_directory, open); // the API socket is created here (RuntimeDirectory= in the unit)
        File.SetUnixFileMode(_notifyPath, open); // systemd's notify socket is writable by the service's user too
        // The key as a systemd credential: 0600, owned by the service's user (0640 root:vipd needs a group named vipd).
        Assert.Equal(0, (await Node.ExecAsync("chown", "65534", Path.Combine(_directory, "cluster.key"))).ExitCode);
        // A copy the unit's user can reach: the checkout may lie under a 0700 home.
        var vipdPath = VipdBinary.CopyForOtherUsers(Path.Combine(_directory, "bin"));

        var check = await Node.ExecAsync("setpriv", [.. unit, vipdPath, "check", "--config", config]);
        Assert.True(check.ExitCode == 0, $"ExecStartPre (vipd check) as the unit's user: exit {check.ExitCode}: {check.StdErr}");

        var env = new Dictionary<string, string>(StringComparer.Ordinal) { ["NOTIFY_SOCKET"] = _notifyPath };
        await using var vipd = Node.Start("setpriv", [.. unit, vipdPath, "run", "--config", config], env);
        await WaitForAsync(m => m.StartsWith("READY=1\n", StringComparison.Ordinal), TimeSpan.FromSeconds(10), vipd);
        Assert.Contains(LabNetwork.Vip4, await Node.AddressesAsync());

        // A crash (or a watchdog kill: systemd sends SIGABRT, then SIGKILL) leaves the VIP bound; ExecStopPost= removes it.
        vipd.Kill(LabProcess.SigKill);
        Assert.True(await vipd.WaitForExitAsync(TimeSpan.FromSeconds(5)), "vipd survived SIGKILL");
        Assert.Contains(LabNetwork.Vip4, await Node.AddressesAsync());

        var cleanup = await Node.ExecAsync("setpriv", [.. unit, vipdPath, "cleanup", "--config", config]);
        Assert.True(cleanup.ExitCode == 0, $"ExecStopPost (vipd cleanup) as the unit's user: exit {cleanup.ExitCode}: {cleanup.StdErr}");
        Assert.DoesNotContain(LabNetwork.Vip4, await Node.AddressesAsync());
        Assert.Contains(Node.IPv4, await Node.AddressesAsync());
    }

    [Fact]
    public async Task Run_SigHup_ReloadsAndKeepsServing()
    {
        // vipd.service's ExecReload= sends SIGHUP: it must not end the daemon (without a handover).
        var env = new Dictionary<string, string>(StringComparer.Ordinal) { ["NOTIFY_SOCKET"] = _notifyPath };
        await using var vipd = Node.Start(VipdBinary.Find(), ["run", "--config", await WriteConfigAsync()], env);
        await WaitForAsync(m => m.StartsWith("READY=1\n", StringComparison.Ordinal), TimeSpan.FromSeconds(10), vipd);

        vipd.Kill(LabProcess.SigHup);

        await WaitForAsync(m => m.StartsWith("RELOADING=1\n", StringComparison.Ordinal), TimeSpan.FromSeconds(5), vipd);
        await WaitForAsync(m => m.StartsWith("READY=1\nSTATUS=serving", StringComparison.Ordinal) && _messages.Count(x => x.Message.StartsWith("READY=1", StringComparison.Ordinal)) >= 2, TimeSpan.FromSeconds(5), vipd);
        Assert.False(await vipd.WaitForExitAsync(TimeSpan.FromSeconds(1)), $"vipd exited with {vipd.ExitCode} on SIGHUP; output:\n{string.Join('\n', vipd.Output)}");
        Assert.Contains(LabNetwork.Vip4, await Node.AddressesAsync());
    }

    private async Task<(TimeSpan At, string Message)> WaitForAsync(Func<string, bool> match, TimeSpan timeout, LabProcess process)
    {
        var deadline = _clock.Elapsed + timeout;
        while (_clock.Elapsed < deadline && !process.HasExited)
        {
            foreach (var message in _messages)
            {
                if (match(message.Message))
                {
                    return message;
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10));
        }

        throw new TimeoutException($"no matching notification within {timeout} (exited: {process.HasExited}); got [{string.Join(", ", _messages.Select(m => m.Message.Replace('\n', '|')))}]; output:\n{string.Join('\n', process.Output)}");
    }

    private void Receive()
    {
        var buffer = new byte[4096];
        while (!_stopping)
        {
            try
            {
                var length = _notify.Receive(buffer);
                _messages.Enqueue((_clock.Elapsed, Encoding.UTF8.GetString(buffer, 0, length)));
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.TimedOut)
            {
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }

    private async Task<string> WriteConfigAsync()
    {
        var path = Path.Combine(_directory, "vipd.toml");
        await File.WriteAllTextAsync(path, $"""
            [node]
            name = "{Node.Name}"
            address = "{Node.IPv4}"
            port = 7450

            [cluster]
            peers = []
            key_file = "{Path.Combine(_directory, "cluster.key")}"

            [api]
            socket = "{Path.Combine(_directory, "vipd.sock")}"

            [[vip]]
            name = "web"
            address = "{LabNetwork.Vip4}/24"
            interface = "{Node.Interface}"
            """);
        return path;
    }
}
