using System.Diagnostics;
using System.Net.Sockets;
using Grpc.Core;

namespace Vipctl.Tests;

/// <summary>Failures give one line on stderr and a documented exit code, never a stack trace.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ErrorTests : IAsyncLifetime
{
    private FakeServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Status_NoSocketFile_ExitsUnreachableWithOneLine()
    {
        var path = Path.Combine(_server.Folder, "absent.sock");

        var run = await CliRun.RunAsync("status", "--socket", path);

        Assert.Equal(ExitCodes.Unreachable, run.ExitCode);
        Assert.Equal($"vipctl: vipd is not running: no socket at {path} (systemctl status vipd)\n", run.Error);
        Assert.Equal(string.Empty, run.Output);
    }

    [Fact]
    public async Task Status_SocketWithoutListener_ExitsUnreachable()
    {
        var path = Path.Combine(_server.Folder, "stale.sock");
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            // .NET unlinks the socket file it bound on dispose; a second name keeps the inode, with nobody listening.
            using var link = Process.Start("ln", [path, path + ".kept"]);
            await link.WaitForExitAsync();
            Assert.Equal(0, link.ExitCode);
        }

        path += ".kept";

        Assert.True(File.Exists(path));

        var run = await CliRun.RunAsync("vips", "--socket", path);

        Assert.Equal(ExitCodes.Unreachable, run.ExitCode);
        Assert.Equal($"vipctl: vipd is not running: nobody listens on {path} (systemctl status vipd)\n", run.Error);
    }

    [Fact]
    public async Task Status_SocketModeForbidsUs_ExitsPermissionDenied()
    {
        File.SetUnixFileMode(_server.SocketPath, UnixFileMode.None);
        CliRun run;
        if (Environment.UserName == "root")
        {
            // root passes file modes by CAP_DAC_OVERRIDE: run the built vipctl without it, as an unprivileged caller is.
            run = await RunWithoutDacOverrideAsync("status", "--socket", _server.SocketPath);
        }
        else
        {
            run = await CliRun.RunAsync("status", "--socket", _server.SocketPath);
        }

        Assert.Equal(ExitCodes.PermissionDenied, run.ExitCode);
        Assert.Equal($"vipctl: permission denied on {_server.SocketPath} (run as root or as a member of the socket's group, usually vipd)\n", run.Error);
        Assert.Empty(_server.Service.Requests);
    }

    [Theory]
    [InlineData("Drain", StatusCode.PermissionDenied, "drain needs root or group vipd-admin", ExitCodes.PermissionDenied, "vipctl: permission denied: drain needs root or group vipd-admin\n")]
    [InlineData("Drain", StatusCode.FailedPrecondition, "already draining", ExitCodes.Failure, "vipctl: refused: already draining\n")]
    [InlineData("Drain", StatusCode.InvalidArgument, "wait must be positive", ExitCodes.Usage, "vipctl: invalid argument: wait must be positive\n")]
    [InlineData("Drain", StatusCode.Unavailable, "shutting down", ExitCodes.Unreachable, "vipctl: vipd at SOCKET is unavailable: shutting down\n")]
    [InlineData("Drain", StatusCode.Internal, "bug", ExitCodes.Internal, "vipctl: vipd failed (Internal): bug\n")]
    [InlineData("Reload", StatusCode.FailedPrecondition, "config refused, the running config stays: x.toml:1:1: bad", ExitCodes.Failure, "vipctl: refused: config refused, the running config stays: x.toml:1:1: bad\n")]
    [InlineData("Watch", StatusCode.ResourceExhausted, "this client fell behind", ExitCodes.Failure, "vipctl: refused: this client fell behind\n")]
    [InlineData("Drain", StatusCode.Unimplemented, "", ExitCodes.Failure, "vipctl: this vipd does not support the call (older than vipctl 0.1.0?): \n")]
    [InlineData("Drain", StatusCode.NotFound, "no VIP 'x\n\u001b[2Jvipctl: ok'", ExitCodes.NotFound, "vipctl: no VIP 'x\\n\\x1b[2Jvipctl: ok'\n")]
    public async Task Drain_ServerStatus_MapsToExitCodeAndOneLine(string method, StatusCode status, string detail, int exitCode, string message)
    {
        _server.Service.Failures[method] = new Status(status, detail);

        var run = await CliRun.RunAsync(method.ToLowerInvariant(), "--socket", _server.SocketPath);

        Assert.Equal(exitCode, run.ExitCode);
        Assert.Equal(message.Replace("SOCKET", _server.SocketPath, StringComparison.Ordinal), run.Error);
        Assert.Equal(string.Empty, run.Output);
    }

    [Fact]
    public async Task Explain_UnknownVip_ExitsNotFound()
    {
        var run = await CliRun.RunAsync("explain", "nope", "--socket", _server.SocketPath);

        Assert.Equal(ExitCodes.NotFound, run.ExitCode);
        Assert.Equal("vipctl: no VIP named nope\n", run.Error);
    }

    [Fact]
    public async Task Watch_PermissionDenied_ExitsPermissionDenied()
    {
        _server.Service.Failures["Watch"] = new Status(StatusCode.PermissionDenied, "not allowed");

        var run = await CliRun.RunAsync("watch", "-o", "json", "--socket", _server.SocketPath);

        Assert.Equal(ExitCodes.PermissionDenied, run.ExitCode);
        Assert.Equal("vipctl: permission denied: not allowed\n", run.Error);
    }

    [Fact]
    public async Task Drain_WaitEndsWithVipsHeld_ExitsFailure()
    {
        _server.Service.DrainAnswer = new() { Complete = false, StillHeld = { "web", "db" } };

        var run = await CliRun.RunAsync("drain", "--wait", "2s", "--socket", _server.SocketPath);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Equal("draining: still holding web,db\n", run.Output);
        Assert.Equal("vipctl: drain not complete after 2s: still holding web,db\n", run.Error);
    }

    [Fact]
    public async Task Drain_NoWaitAndVipsHeld_Succeeds()
    {
        _server.Service.DrainAnswer = new() { Complete = false, StillHeld = { "web" } };

        var run = await CliRun.RunAsync("drain", "--socket", _server.SocketPath);

        Assert.Equal((ExitCodes.Ok, "draining: still holding web\n"), (run.ExitCode, run.Output));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Reload_Refused_PrintsErrorsAndExitsFailure(bool inTrailer)
    {
        _server.Service.ReloadRefusedInTrailer = inTrailer;
        _server.Service.ReloadAnswer = new()
        {
            Ok = false,
            Errors = { new Vipd.Api.V1.ConfigError { File = "/etc/vipd/vipd.toml", Line = 12, Column = 5, Message = "unknown key 'premept' in [[vip]]; did you mean 'preempt'?" } },
        };

        var table = await CliRun.RunAsync("reload", "--socket", _server.SocketPath);
        var json = await CliRun.RunAsync("reload", "-o", "json", "--socket", _server.SocketPath);

        Assert.Equal(ExitCodes.Failure, table.ExitCode);
        Assert.Equal(string.Empty, table.Output);
        Assert.Equal("/etc/vipd/vipd.toml:12:5: unknown key 'premept' in [[vip]]; did you mean 'preempt'?\nvipctl: reload refused: the running config stays\n", table.Error);
        Assert.Equal(ExitCodes.Failure, json.ExitCode);
        Assert.Contains("\"ok\": false", json.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VipRemove_NameNotInSource_ExitsNotFound()
    {
        _server.Service.RemoveAnswer = new() { Removed = { "api" }, NotFound = { "ghost" }, Version = 5 };

        var run = await CliRun.RunAsync("vip", "remove", "--source", "automation", "api", "ghost", "--socket", _server.SocketPath);

        Assert.Equal(ExitCodes.NotFound, run.ExitCode);
        Assert.Equal("source automation version 5: removed api\n", run.Output);
        Assert.Equal("vipctl: not in source automation: ghost\n", run.Error);
    }

    [Theory]
    [InlineData("{\"vips\": [{\"name\": \"web\", \"adress\": \"192.0.2.1/24\"}]}")]
    [InlineData("[{\"name\": \"web\"}]")]
    [InlineData("not json")]
    public async Task VipApply_BadFile_ExitsUsageWithoutCallingTheDaemon(string content)
    {
        var file = Path.Combine(_server.Folder, "bad.json");
        await File.WriteAllTextAsync(file, content);

        var run = await CliRun.RunAsync("vip", "apply", "--source", "automation", file, "--socket", _server.SocketPath);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.StartsWith($"vipctl: {file}: not a VIP file: ", run.Error, StringComparison.Ordinal);
        Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(_server.Service.Requests);
    }

    [Fact]
    public async Task VipApply_MissingFile_ExitsUsage()
    {
        var file = Path.Combine(_server.Folder, "missing.json");

        var run = await CliRun.RunAsync("vip", "apply", "--source", "automation", file, "--socket", _server.SocketPath);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal($"vipctl: cannot read {file}: no such file\n", run.Error);
    }

    [Fact]
    public async Task VipApply_FileNamesAnotherSource_ExitsUsage()
    {
        var file = Path.Combine(_server.Folder, "other.json");
        await File.WriteAllTextAsync(file, "{\"source\": \"k8s\", \"vips\": []}");

        var run = await CliRun.RunAsync("vip", "apply", "--source", "automation", file, "--socket", _server.SocketPath);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Empty(_server.Service.Requests);
    }

    [Theory]
    [InlineData("move web")]
    [InlineData("move web n2 --clear")]
    [InlineData("maintenance maybe")]
    [InlineData("drain --wait 5x")]
    [InlineData("vip remove --source automation")]
    [InlineData("vip remove --source automation api --all")]
    [InlineData("vip remove api")]
    [InlineData("explain")]
    [InlineData("status -o yaml")]
    [InlineData("frobnicate")]
    [InlineData("vip")]
    [InlineData("")]
    public async Task Invoke_BadUsage_ExitsUsageWithoutCallingTheDaemon(string commandLine)
    {
        var run = await CliRun.RunAsync([.. commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--socket", _server.SocketPath]);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.StartsWith("vipctl: ", run.Error, StringComparison.Ordinal);
        Assert.EndsWith("Try 'vipctl --help'.\n", run.Error, StringComparison.Ordinal);
        Assert.Empty(_server.Service.Requests);
    }

    [Fact]
    public async Task Watch_ReaderGoesAway_ExitsQuietly()
    {
        _server.Service.WatchKeepsSending = true;
        var clock = Stopwatch.StartNew();

        var run = await ChildProcess.RunAsync(
            TimeSpan.FromSeconds(15), "sh", "-c", $"dotnet exec '{RepoPaths.VipctlDll}' watch --socket '{_server.SocketPath}' | head -n 1");

        // The shell waits for both sides of the pipe: it returns once vipctl has noticed that head is gone.
        Assert.StartsWith("2026-11-25T12:00:00Z #1 snapshot", run.Output, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Error);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{clock.Elapsed}");
    }

    [Fact]
    public async Task Help_ListsTheExitCodes()
    {
        var run = await CliRun.RunAsync("--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains(ExitCodes.HelpText, run.Output, StringComparison.Ordinal);
    }

    private static Task<CliRun> RunWithoutDacOverrideAsync(params string[] args) =>
        ChildProcess.RunAsync("setpriv", ["--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search", "--", "dotnet", "exec", RepoPaths.VipctlDll, .. args]);
}
