using System.Net;
using System.Net.Sockets;
using Vipd.Lab.Daemon;

namespace Vipd.Lab.Tests;

/// <summary>vipd refuses a broken start with one clear line and a documented exit code (vipd(8)).</summary>
public sealed class DaemonStartupLabTests : IAsyncLifetime
{
    private LabNetwork _lab = null!;
    private string _directory = null!;

    private LabHost Node => _lab.Nodes[0];

    public async Task InitializeAsync()
    {
        _lab = await LabNetwork.CreateAsync(1);
        _directory = Path.Combine(Path.GetTempPath(), $"{_lab.Prefix}-startup");
        Directory.CreateDirectory(_directory);
        await File.WriteAllTextAsync(Path.Combine(_directory, "cluster.key"), Convert.ToBase64String(new byte[32].Select((_, i) => (byte)i).ToArray()) + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path.Combine(_directory, "cluster.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    public async Task DisposeAsync()
    {
        await _lab.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Run_UnknownInterface_ExitsWithCode4AndOneLine()
    {
        var config = await WriteConfigAsync(@interface: "eth9");
        var (code, errors) = await RunVipdAsync(config);
        Assert.Equal(4, code);
        Assert.Equal($"vipd: {config}: VIP web: no interface named eth9 on this host", Assert.Single(errors));
    }

    [Fact]
    public async Task Run_KeyFileWithoutValidKey_ExitsWithCode5()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "cluster.key"), "not base64 at all\n");
        var (code, errors) = await RunVipdAsync(await WriteConfigAsync());
        Assert.Equal(5, code);
        Assert.StartsWith($"vipd: cannot use key file {Path.Combine(_directory, "cluster.key")}:", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task CheckAndRun_WorldReadableKey_RefusedWithExit5NamingTheFileAndTheFix()
    {
        var key = Path.Combine(_directory, "cluster.key");
        var config = await WriteConfigAsync();
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var check = await Node.ExecAsync(VipdBinary.Find(), "check", "--config", config);
        var (code, errors) = await RunVipdAsync(config);

        var expected = $"key file {key} is mode 0644 and others can read it: run `chmod 600 {key}`";
        Assert.Equal(5, check.ExitCode);
        Assert.StartsWith($"{config}: {expected}", check.StdErr, StringComparison.Ordinal);
        Assert.Equal(5, code);
        Assert.StartsWith($"vipd: {expected}", Assert.Single(errors), StringComparison.Ordinal);

        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Equal(0, (await Node.ExecAsync(VipdBinary.Find(), "check", "--config", config)).ExitCode);
    }

    [Fact]
    public async Task Run_GossipPortInUse_ExitsWithCode6()
    {
        using var squatter = Node.Run(() =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(Node.IPv4, 7450));
            return socket;
        });
        var (code, errors) = await RunVipdAsync(await WriteConfigAsync());
        Assert.Equal(6, code);
        Assert.Equal($"vipd: cannot bind gossip to {Node.IPv4}:7450: the port is in use (another vipd, or change [node] port)", Assert.Single(errors));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Run_WithoutCapabilities_ExitsWithCode3()
    {
        var config = await WriteConfigAsync();
        // Drop to nobody with no capabilities (setpriv from util-linux); the files stay readable to it.
        File.SetUnixFileMode(_directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        // A copy nobody can reach: the checkout may lie under a directory only root can enter (a 0700 home).
        var vipd = VipdBinary.CopyForOtherUsers(Path.Combine(_directory, "bin"));
        var result = await Node.ExecAsync("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", vipd, "run", "--config", config);
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("vipd needs CAP_NET_ADMIN and CAP_NET_RAW", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_BadConfig_PrintsFileLineColumnAndExits1()
    {
        var path = Path.Combine(_directory, "bad.toml");
        await File.WriteAllTextAsync(path, "[node]\nname = \"n1\"\naddress = \"192.0.2.11\"\nprot = 7450\n");
        var result = await Node.ExecAsync(VipdBinary.Find(), "check", "--config", path);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{path}:4:1: unknown key 'prot' in [node]", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cleanup_RemovesOnlyVipdAddresses()
    {
        // A VIP left behind by a crashed vipd (marked as vipd's) and an operator's own address on the same interface.
        var config = await WriteConfigAsync();
        await using (var vipd = Node.Start(VipdBinary.Find(), ["run", "--config", config]))
        {
            await vipd.WaitForOutputAsync("acquired on eth0", TimeSpan.FromSeconds(15));
            vipd.Kill(); // SIGKILL: nothing cleaned up
            await vipd.WaitForExitAsync(TimeSpan.FromSeconds(5));
        }

        await Node.ExecAsync("ip", "addr", "add", "192.0.2.201/24", "dev", "eth0");
        Assert.Contains("192.0.2.200", (await Node.ExecAsync("ip", "-4", "addr", "show", "dev", "eth0")).StdOut, StringComparison.Ordinal);

        var cleanup = await Node.ExecAsync(VipdBinary.Find(), "cleanup", "--config", config);

        Assert.Equal(0, cleanup.ExitCode);
        Assert.Equal("vipd: removed 1 VIP address", cleanup.StdOut.Trim());
        var left = (await Node.ExecAsync("ip", "-4", "addr", "show", "dev", "eth0")).StdOut;
        Assert.DoesNotContain("192.0.2.200", left, StringComparison.Ordinal);
        Assert.Contains("192.0.2.201", left, StringComparison.Ordinal);
        Assert.Contains(Node.IPv4.ToString(), left, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SigtermWhileJoining_ExitsCleanlyWithNothingBound()
    {
        // A peer that never answers keeps the node in its join wait; a stop then must not look like a crash.
        var config = await WriteConfigAsync(peers: "\"192.0.2.99\"");
        await using var vipd = Node.Start(VipdBinary.Find(), ["run", "--config", config]);
        await vipd.WaitForOutputAsync("Cleanup removed", TimeSpan.FromSeconds(10));
        vipd.Kill(15);

        Assert.True(await vipd.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(vipd.ExitCode == 0, string.Join(Environment.NewLine, vipd.Output));
        Assert.DoesNotContain("192.0.2.200", (await Node.ExecAsync("ip", "-4", "addr", "show", "dev", "eth0")).StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_UnderJournal_LinesCarrySyslogPriorityPrefixes()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal) { ["JOURNAL_STREAM"] = "8:12345" };
        await using var vipd = Node.Start(VipdBinary.Find(), ["run", "--config", await WriteConfigAsync()], env);
        var line = await vipd.WaitForOutputAsync("acquired on eth0", TimeSpan.FromSeconds(15));
        Assert.StartsWith("<6>", line, StringComparison.Ordinal);
        Assert.DoesNotContain(vipd.Output, l => l.Length > 0 && !l.StartsWith('<') && !l.StartsWith(' '));
    }

    [Fact]
    public async Task Run_JsonLogging_StructuredPropertiesPerEvent()
    {
        var config = await WriteConfigAsync();
        await File.AppendAllTextAsync(config, "\n[logging]\nformat = \"json\"\n");
        await using var vipd = Node.Start(VipdBinary.Find(), ["run", "--config", config]);
        var line = await vipd.WaitForOutputAsync("acquired on", TimeSpan.FromSeconds(15));
        using var json = System.Text.Json.JsonDocument.Parse(line);
        Assert.Equal("web", json.RootElement.GetProperty("Vip").GetString());
        Assert.Equal("eth0", json.RootElement.GetProperty("Interface").GetString());
        Assert.True(json.RootElement.TryGetProperty("@t", out _));
    }

    private async Task<(int Code, IReadOnlyList<string> Errors)> RunVipdAsync(string config)
    {
        var result = await Node.ExecAsync(VipdBinary.Find(), "run", "--config", config);
        return (result.ExitCode, result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private async Task<string> WriteConfigAsync(string @interface = "eth0", string peers = "")
    {
        var path = Path.Combine(_directory, "vipd.toml");
        await File.WriteAllTextAsync(path, $"""
            [node]
            name = "n1"
            address = "{Node.IPv4}"

            [cluster]
            key_file = "cluster.key"
            peers = [{peers}]

            [api]
            socket = "{Path.Combine(_directory, "vipd.sock")}"

            [[vip]]
            name = "web"
            address = "192.0.2.200/24"
            interface = "{@interface}"
            """);
        return path;
    }
}
