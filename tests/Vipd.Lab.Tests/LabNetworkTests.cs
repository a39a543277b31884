using System.Globalization;

namespace Vipd.Lab.Tests;

public sealed class LabNetworkTests
{
    [Fact]
    public async Task CreateAsync_ThreeNodes_ClientPingsNodeOverIPv4AndIPv6AndLearnsItsMac()
    {
        await using var lab = await LabNetwork.CreateAsync(3);
        Assert.Matches("^vl[0-9a-f]{4}$", lab.Prefix);
        Assert.Equal(["n1", "n2", "n3"], lab.Nodes.Select(n => n.Name));
        Assert.True(File.Exists(LabNetwork.MarkerPath(lab.Prefix)));
        var node = lab.Nodes[1];
        Assert.Equal("192.0.2.12", node.IPv4.ToString());
        Assert.Equal("2001:db8::12", node.IPv6.ToString());
        Assert.True(node.InterfaceIndex > 1);

        var v4 = await lab.Client.ExecAsync("ping", "-c", "1", "-W", "2", node.IPv4.ToString());
        var v6 = await lab.Client.ExecAsync("ping", "-6", "-c", "1", "-W", "2", node.IPv6.ToString());

        Assert.True(v4.ExitCode == 0, v4.StdOut + v4.StdErr);
        Assert.True(v6.ExitCode == 0, v6.StdOut + v6.StdErr);
        Assert.Equal(node.Mac, (await lab.Client.NeighborAsync(node.IPv4))?.Mac);
        Assert.Equal(node.Mac, (await lab.Client.NeighborAsync(node.IPv6))?.Mac);
    }

    [Fact]
    public async Task ExecAsync_UnreachableAddress_Fails()
    {
        await using var lab = await LabNetwork.CreateAsync(1);

        var result = await lab.Client.ExecAsync("ping", "-c", "1", "-W", "1", "192.0.2.99");

        Assert.NotEqual(0, result.ExitCode);
        var entry = await lab.Client.NeighborAsync(System.Net.IPAddress.Parse("192.0.2.99"));
        Assert.Null(entry?.Mac);
    }

    [Fact]
    public async Task DisposeAsync_AfterStart_LeavesNoNamespaceMarkerOrProcess()
    {
        var lab = await LabNetwork.CreateAsync(2);
        var sleeper = lab.Nodes[0].Start("sleep", ["60"]);
        Assert.Equal(4, LabNetwork.NamespacesOf(lab.Prefix).Count);

        await lab.DisposeAsync();
        await lab.DisposeAsync();

        Assert.True(sleeper.HasExited);
        Assert.Empty(LabNetwork.NamespacesOf(lab.Prefix));
        var list = await RunAsync("ip", "netns", "list");
        Assert.DoesNotContain(lab.Prefix, list, StringComparison.Ordinal);
        Assert.False(File.Exists(LabNetwork.MarkerPath(lab.Prefix)));
    }

    [Fact]
    public async Task SweepStaleAsync_MarkerOfDeadProcess_DeletesItsNamespacesOnly()
    {
        // A dead PID: a process that ran and exited (reaped), so its PID names no process now.
        var dead = await RunAsync("sh", "-c", "echo $$");
        var pid = int.Parse(dead.Trim(), CultureInfo.InvariantCulture);
        var stale = "vl" + Random.Shared.Next(0x10000).ToString("x4", CultureInfo.InvariantCulture);
        var alive = "vl" + Random.Shared.Next(0x10000).ToString("x4", CultureInfo.InvariantCulture);
        Directory.CreateDirectory(LabNetwork.MarkerDirectory);
        await File.WriteAllTextAsync(LabNetwork.MarkerPath(stale), $"{pid} 1\n");
        await File.WriteAllTextAsync(LabNetwork.MarkerPath(alive), $"{Environment.ProcessId} {LabNetwork.StartTimeOf(Environment.ProcessId)}\n");
        await RunAsync("ip", "netns", "add", stale + "-n1");
        await RunAsync("ip", "netns", "add", alive + "-n1");
        try
        {
            var swept = await LabNetwork.SweepStaleAsync();

            Assert.Contains(stale, swept);
            Assert.DoesNotContain(alive, swept);
            Assert.Empty(LabNetwork.NamespacesOf(stale));
            Assert.False(File.Exists(LabNetwork.MarkerPath(stale)));
            Assert.Single(LabNetwork.NamespacesOf(alive));
        }
        finally
        {
            await RunAsync("ip", "netns", "del", alive + "-n1");
            File.Delete(LabNetwork.MarkerPath(alive));
            File.Delete(LabNetwork.MarkerPath(stale));
        }
    }

    [Fact]
    public async Task CrashAsync_RunningProcess_KillsItAndCutsTheNode()
    {
        await using var lab = await LabNetwork.CreateAsync(2);
        var node = lab.Nodes[0];
        var process = node.Start("sh", ["-c", "echo ready in $(ip -o link show eth0 | cut -d: -f2); sleep 60"]);
        var line = await process.WaitForOutputAsync("ready", TimeSpan.FromSeconds(5));
        Assert.Contains("eth0", line, StringComparison.Ordinal);
        Assert.False(process.HasExited);

        await lab.CrashAsync(node);

        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(2)));
        var ping = await lab.Client.ExecAsync("ping", "-c", "1", "-W", "1", node.IPv4.ToString());
        Assert.NotEqual(0, ping.ExitCode);
        var other = await lab.Client.ExecAsync("ping", "-c", "1", "-W", "2", lab.Nodes[1].IPv4.ToString());
        Assert.Equal(0, other.ExitCode);
    }

    [Fact]
    public async Task SetLinkAsync_DownThenUp_KeepsAddressesAndReachability()
    {
        await using var lab = await LabNetwork.CreateAsync(1);
        var node = lab.Nodes[0];

        await node.SetLinkAsync(false);
        var down = await lab.Client.ExecAsync("ping", "-6", "-c", "1", "-W", "1", node.IPv6.ToString());
        await node.SetLinkAsync(true);
        var up = await lab.Client.ExecAsync("ping", "-6", "-c", "1", "-W", "2", node.IPv6.ToString());

        Assert.NotEqual(0, down.ExitCode);
        Assert.True(up.ExitCode == 0, up.StdOut + up.StdErr);
        Assert.Contains(node.IPv6, await node.AddressesAsync());
        Assert.Contains(node.IPv4, await node.AddressesAsync());
    }

    private static async Task<string> RunAsync(string file, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(file) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = System.Diagnostics.Process.Start(psi)!;
        var output = await p.StandardOutput.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await p.WaitForExitAsync(limit.Token);
        return output;
    }
}
