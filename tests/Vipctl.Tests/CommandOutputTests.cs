namespace Vipctl.Tests;

/// <summary>Every command against the fake daemon, table and JSON, compared with golden files.</summary>
public sealed class CommandOutputTests : IAsyncLifetime
{
    private FakeServer _server = null!;

    public static TheoryData<string, string> Commands() => new()
    {
        { "status", "status" },
        { "vips", "vips" },
        { "vips-config", "vips --source config" },
        { "members", "members" },
        { "explain", "explain web" },
        { "watch", "watch" },
        { "drain", "drain" },
        { "undrain", "undrain" },
        { "move", "move web n3" },
        { "move-clear", "move web --clear" },
        { "maintenance-on", "maintenance on" },
        { "maintenance-off", "maintenance off" },
        { "reload", "reload" },
        { "vip-remove", "vip remove --source automation api" },
        { "version", "version" },
    };

    public async Task InitializeAsync() => _server = await FakeServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Invoke_Table_MatchesGolden(string name, string commandLine)
    {
        var run = await CliRun.RunAsync([.. commandLine.Split(' '), "--socket", _server.SocketPath]);

        Assert.Equal(string.Empty, run.Error);
        Assert.Equal(0, run.ExitCode);
        Golden.Match(name + ".table.txt", run.Output);
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Invoke_Json_MatchesGolden(string name, string commandLine)
    {
        var run = await CliRun.RunAsync([.. commandLine.Split(' '), "-o", "json", "--socket", _server.SocketPath]);

        Assert.Equal(string.Empty, run.Error);
        Assert.Equal(0, run.ExitCode);
        Golden.Match(name + ".json.txt", run.Output);
        if (name == "watch")
        {
            var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(FakeVipd.Events().Count(), lines.Length);
            Assert.All(lines, l => System.Text.Json.JsonDocument.Parse(l).Dispose());
        }
        else
        {
            System.Text.Json.JsonDocument.Parse(run.Output).Dispose();
        }
    }

    [Fact]
    public async Task VipApply_File_SendsItsVipsUnderTheSource()
    {
        var file = Path.Combine(_server.Folder, "vips.json");
        await File.WriteAllTextAsync(file, """
            {"vips": [
              {"name": "web2", "address": "192.0.2.201/24", "interface": "eth0", "allowed_nodes": ["n1", "n2"],
               "preempt": false, "preempt_delay": "5s", "priority": 150, "priorities": {"n1": 200}},
              {"name": "api", "address": "2001:db8::10/64"}
            ]}
            """);

        var table = await CliRun.RunAsync("vip", "apply", "--source", "automation", file, "--socket", _server.SocketPath);
        var json = await CliRun.RunAsync("vip", "apply", "--source", "automation", "--replace", file, "-o", "json", "--socket", _server.SocketPath);

        Assert.Equal((0, string.Empty), (table.ExitCode, table.Error));
        Golden.Match("vip-apply.table.txt", table.Output);
        Assert.Equal((0, string.Empty), (json.ExitCode, json.Error));
        Golden.Match("vip-apply.json.txt", json.Output);
        var requests = _server.Service.Requests.OfType<Vipd.Api.V1.ApplyVipsRequest>().ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Equal("automation", requests[0].Source);
        Assert.False(requests[0].Replace);
        Assert.True(requests[1].Replace);
        var web2 = requests[0].Vips[0];
        Assert.Equal(("web2", "192.0.2.201/24", "eth0", 150u), (web2.Name, web2.Address, web2.Interface, web2.Priority));
        Assert.Equal(["n1", "n2"], web2.AllowedNodes);
        Assert.False(web2.Preempt);
        Assert.Equal(TimeSpan.FromSeconds(5), web2.PreemptDelay.ToTimeSpan());
        Assert.Equal(200u, web2.Priorities["n1"]);
        Assert.False(requests[0].Vips[1].HasPreempt);
    }

    [Fact]
    public async Task VipApply_Stdin_ReadsTheVips()
    {
        var run = await CliRun.RunAsync(null, false, """{"vips": [{"name": "web3", "address": "198.51.100.3/24"}]}""",
            "vip", "apply", "-s", "automation", "-", "--socket", _server.SocketPath);

        Assert.Equal(0, run.ExitCode);
        var request = Assert.Single(_server.Service.Requests.OfType<Vipd.Api.V1.ApplyVipsRequest>());
        Assert.Equal("web3", Assert.Single(request.Vips).Name);
    }

    [Fact]
    public async Task Drain_Wait_SendsTheWaitAndSucceedsWhenComplete()
    {
        var run = await CliRun.RunAsync("drain", "--wait", "1m30s", "--socket", _server.SocketPath);

        Assert.Equal(0, run.ExitCode);
        var request = Assert.Single(_server.Service.Requests.OfType<Vipd.Api.V1.DrainRequest>());
        Assert.Equal(TimeSpan.FromSeconds(90), request.Wait.ToTimeSpan());
    }

    [Fact]
    public async Task Drain_NoWait_SendsNoWait()
    {
        await CliRun.RunAsync("drain", "--socket", _server.SocketPath);

        Assert.Null(Assert.Single(_server.Service.Requests.OfType<Vipd.Api.V1.DrainRequest>()).Wait);
    }

    [Fact]
    public async Task Move_Clear_SendsAnEmptyNode()
    {
        await CliRun.RunAsync("move", "web", "--clear", "--socket", _server.SocketPath);
        await CliRun.RunAsync("move", "web", "n2", "--socket", _server.SocketPath);

        var requests = _server.Service.Requests.OfType<Vipd.Api.V1.MoveRequest>().ToArray();
        Assert.Equal([("web", string.Empty), ("web", "n2")], requests.Select(r => (r.Vip, r.Node)));
    }

    [Fact]
    public async Task MaintenanceAndRemove_SendWhatTheCommandLineSays()
    {
        await CliRun.RunAsync("maintenance", "on", "--socket", _server.SocketPath);
        await CliRun.RunAsync("maintenance", "off", "--socket", _server.SocketPath);
        await CliRun.RunAsync("vip", "remove", "--source", "automation", "--all", "--socket", _server.SocketPath);

        Assert.Equal([true, false], _server.Service.Requests.OfType<Vipd.Api.V1.SetMaintenanceRequest>().Select(r => r.Enabled));
        var remove = Assert.Single(_server.Service.Requests.OfType<Vipd.Api.V1.RemoveVipsRequest>());
        Assert.Equal(("automation", true, 0), (remove.Source, remove.All, remove.Names.Count));
    }

    [Fact]
    public async Task Socket_FromEnvironment_IsUsedWithoutOption()
    {
        var run = await CliRun.RunAsync(new Dictionary<string, string> { ["VIPD_SOCKET"] = _server.SocketPath }, false, null, "status");

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("node         n1", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Socket_Option_OverridesEnvironment()
    {
        var missing = Path.Combine(_server.Folder, "missing.sock");
        var run = await CliRun.RunAsync(new Dictionary<string, string> { ["VIPD_SOCKET"] = _server.SocketPath }, false, null, "status", "--socket", missing);

        Assert.Equal(ExitCodes.Unreachable, run.ExitCode);
        Assert.Contains(missing, run.Error, StringComparison.Ordinal);
    }
}
