using System.Globalization;
using Xunit.Abstractions;

namespace Vipd.Lab.Tests;

public sealed class LabNetworkTests(ITestOutputHelper output)
{
    [Fact]
    public async Task CreateAsync_ThreeNodes_ClientPingsNodeOverIPv4AndIPv6AndLearnsItsMac()
    {
        var hostSysctl = await File.ReadAllTextAsync("/proc/sys/net/ipv6/conf/default/keep_addr_on_down");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await using var lab = await LabNetwork.CreateAsync(3);
        output.WriteLine($"created {lab} in {watch.ElapsedMilliseconds} ms");
        var inLab = await lab.Nodes[0].ExecAsync("cat", "/proc/sys/net/ipv6/conf/eth0/keep_addr_on_down", "/proc/sys/net/ipv6/conf/eth0/accept_dad");
        Assert.Equal("1\n0\n", inLab.StdOut);
        Assert.Equal(hostSysctl, await File.ReadAllTextAsync("/proc/sys/net/ipv6/conf/default/keep_addr_on_down"));
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
    public async Task CreateAsync_AllNodesMulticast_ReachesEveryNode()
    {
        await using var lab = await LabNetwork.CreateAsync(3);

        // ff02::1 on the link: every node must answer (the bridge floods multicast: snooping off).
        var result = await lab.Client.ExecAsync("ping", "-6", "-c", "3", "-i", "0.2", "-w", "3", "ff02::1%eth0");

        var responders = result.StdOut.Split('\n')
            .Where(l => l.Contains("bytes from fe80::", StringComparison.Ordinal))
            .Select(l => System.Net.IPAddress.Parse(l.Split(' ')[3].Split('%')[0].TrimEnd(':')))
            .ToHashSet();
        foreach (var node in lab.Nodes)
        {
            var linkLocal = (await node.AddressesAsync()).Single(a => a.IsIPv6LinkLocal);
            Assert.True(responders.Contains(linkLocal), $"{node.Name} {linkLocal} missing in\n{result.StdOut}");
        }
    }

    [Fact]
    public void ParseIpJson_MixedStates_ReadsAddressMacAndState()
    {
        const string json = """
            [{"dst":"192.0.2.11","lladdr":"02:1a:b0:00:00:11","state":["REACHABLE"]},
             {"dst":"192.0.2.99","state":["FAILED"]},
             {"dst":"2001:db8::12","lladdr":"02:1a:b0:00:00:12","router":null,"state":["STALE","PROBE"]}]
            """;

        var entries = NeighborEntry.ParseIpJson(json);

        Assert.Equal(3, entries.Count);
        Assert.Equal(new NeighborEntry(System.Net.IPAddress.Parse("192.0.2.11"), System.Net.NetworkInformation.PhysicalAddress.Parse("02-1A-B0-00-00-11"), "REACHABLE"), entries[0]);
        Assert.Null(entries[1].Mac);
        Assert.Equal("FAILED", entries[1].State);
        Assert.Equal("STALE,PROBE", entries[2].State);
        Assert.Empty(NeighborEntry.ParseIpJson(""));
    }

    [Fact]
    public async Task AddAddressAsync_VipMovesWithGratuitousArp_ClientEntryFollows()
    {
        await using var lab = await LabNetwork.CreateAsync(2);
        var (n1, n2, client) = (lab.Nodes[0], lab.Nodes[1], lab.Client);
        await n1.AddAddressAsync(LabNetwork.Vip4);
        Assert.Equal(0, (await Ping(client, LabNetwork.Vip4)).ExitCode);
        Assert.Same(n1, lab.HostWithMac((await client.NeighborAsync(LabNetwork.Vip4))?.Mac));

        await n1.RemoveAddressAsync(LabNetwork.Vip4);
        await n2.AddAddressAsync(LabNetwork.Vip4);
        var garp = await n2.ExecAsync("arping", "-U", "-c", "1", "-I", "eth0", LabNetwork.Vip4.ToString());

        Assert.True(garp.ExitCode is 0 or 1, garp.StdOut + garp.StdErr); // -U expects no reply: exit 1 is normal
        var entry = await client.WaitForNeighborAsync(LabNetwork.Vip4, e => e?.Mac?.Equals(n2.Mac) == true, TimeSpan.FromSeconds(2));
        Assert.Same(n2, lab.HostWithMac(entry?.Mac));
        Assert.Equal(0, (await Ping(client, LabNetwork.Vip4)).ExitCode);
        Assert.DoesNotContain(LabNetwork.Vip4, await n1.AddressesAsync());
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

        var watch = System.Diagnostics.Stopwatch.StartNew();
        await lab.DisposeAsync();
        output.WriteLine($"disposed in {watch.ElapsedMilliseconds} ms");
        await lab.DisposeAsync();

        Assert.True(sleeper.HasExited);
        Assert.Empty(LabNetwork.NamespacesOf(lab.Prefix));
        var list = await RunAsync("ip", "netns", "list");
        Assert.DoesNotContain(lab.Prefix, list, StringComparison.Ordinal);
        Assert.False(File.Exists(LabNetwork.MarkerPath(lab.Prefix)));
    }

    [Fact]
    public async Task SweepStaleAsync_OwnerKilledOrPidReused_DeletesThoseLabsAndTheirProcessesOnly()
    {
        using var owner = System.Diagnostics.Process.Start("sleep", "30");
        var (stale, reused, alive) = (RandomPrefix(), RandomPrefix(), RandomPrefix());
        Directory.CreateDirectory(LabNetwork.MarkerDirectory);
        await File.WriteAllTextAsync(LabNetwork.MarkerPath(stale), $"{owner.Id} {LabNetwork.StartTimeOf(owner.Id)}\n");
        await File.WriteAllTextAsync(LabNetwork.MarkerPath(reused), $"{Environment.ProcessId} 1\n");
        await File.WriteAllTextAsync(LabNetwork.MarkerPath(alive), $"{Environment.ProcessId} {LabNetwork.StartTimeOf(Environment.ProcessId)}\n");
        foreach (var ns in (string[])[stale + "-n1", stale + "-br", reused + "-n1", alive + "-n1"])
        {
            await RunAsync("ip", "netns", "add", ns);
        }

        using var orphan = System.Diagnostics.Process.Start("setsid", ["ip", "netns", "exec", stale + "-n1", "sleep", "30"]);
        try
        {
            for (var i = 0; i < 100 && (await RunAsync("ip", "netns", "pids", stale + "-n1")).Trim() != orphan.Id.ToString(CultureInfo.InvariantCulture); i++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20));
            }

            await LabNetwork.SweepStaleAsync();
            Assert.Equal(2, LabNetwork.NamespacesOf(stale).Count);
            Assert.Empty(LabNetwork.NamespacesOf(reused));
            Assert.False(File.Exists(LabNetwork.MarkerPath(reused)));

            owner.Kill();
            Assert.True(owner.WaitForExit(TimeSpan.FromSeconds(5)));
            await LabNetwork.SweepStaleAsync();

            Assert.Empty(LabNetwork.NamespacesOf(stale));
            Assert.False(File.Exists(LabNetwork.MarkerPath(stale)));
            Assert.True(orphan.WaitForExit(TimeSpan.FromSeconds(5)));
            Assert.Single(LabNetwork.NamespacesOf(alive));
            Assert.True(File.Exists(LabNetwork.MarkerPath(alive)));
        }
        finally
        {
            orphan.Kill();
            owner.Kill();
            foreach (var prefix in (string[])[stale, reused, alive])
            {
                foreach (var ns in LabNetwork.NamespacesOf(prefix))
                {
                    await RunAsync("ip", "netns", "del", ns);
                }

                File.Delete(LabNetwork.MarkerPath(prefix));
            }
        }
    }

    [Fact]
    public async Task SweepStaleAsync_EmptyMarker_SweptOnlyWhenOld()
    {
        var prefix = RandomPrefix();
        Directory.CreateDirectory(LabNetwork.MarkerDirectory);
        await File.WriteAllTextAsync(LabNetwork.MarkerPath(prefix), "");
        await RunAsync("ip", "netns", "add", prefix + "-n1");
        try
        {
            await LabNetwork.SweepStaleAsync();
            Assert.Single(LabNetwork.NamespacesOf(prefix)); // being written by its owner, perhaps

            File.SetLastWriteTimeUtc(LabNetwork.MarkerPath(prefix), DateTime.UtcNow - TimeSpan.FromMinutes(5));
            await LabNetwork.SweepStaleAsync();

            Assert.Empty(LabNetwork.NamespacesOf(prefix));
            Assert.False(File.Exists(LabNetwork.MarkerPath(prefix)));
        }
        finally
        {
            foreach (var ns in LabNetwork.NamespacesOf(prefix))
            {
                await RunAsync("ip", "netns", "del", ns);
            }

            File.Delete(LabNetwork.MarkerPath(prefix));
        }
    }

    private static string RandomPrefix() => "vl" + Random.Shared.Next(0x10000).ToString("x4", CultureInfo.InvariantCulture);

    [Fact]
    public async Task CrashAsync_RunningProcess_CutsTheLinkFirstThenKills()
    {
        await using var lab = await LabNetwork.CreateAsync(2);
        var node = lab.Nodes[0];
        var process = await StartLinkWatcherAsync(node);

        await lab.CrashAsync(node);

        // The cable went first: the victim was still alive to see its link go down (a real crash silences the node at
        // once, before any of its processes can react to being killed).
        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(2)));
        Assert.Contains(await WaitForLinesAsync(process), l => l.Contains("state DOWN", StringComparison.Ordinal));
        await AssertCutOffAsync(lab, node);
    }

    [Fact]
    public async Task KillDaemonHostAliveAsync_RunningProcess_KillsFirstThenCutsTheLink()
    {
        await using var lab = await LabNetwork.CreateAsync(2);
        var node = lab.Nodes[0];
        var process = await StartLinkWatcherAsync(node);

        await lab.KillDaemonHostAliveAsync(node);

        // The process died before the link went down: it never saw it.
        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(2)));
        Assert.DoesNotContain(await WaitForLinesAsync(process), l => l.Contains("state DOWN", StringComparison.Ordinal));
        await AssertCutOffAsync(lab, node);
    }

    /// <summary>A process in <paramref name="node"/> that prints every link change of its namespace (iproute2 flushes each line).</summary>
    private static async Task<LabProcess> StartLinkWatcherAsync(LabHost node)
    {
        var process = node.Start("sh", ["-c", "ip -o monitor link & sleep 0.3; echo ready in $(ip -o link show eth0 | cut -d: -f2); wait"]);
        var line = await process.WaitForOutputAsync("ready", TimeSpan.FromSeconds(5));
        Assert.Contains("eth0", line, StringComparison.Ordinal);
        Assert.False(process.HasExited);
        return process;
    }

    /// <summary>The process's output once its pipes are drained (the last lines may arrive just after the exit).</summary>
    private static async Task<IReadOnlyList<string>> WaitForLinesAsync(LabProcess process)
    {
        await Task.Delay(200);
        return process.Output;
    }

    private static async Task AssertCutOffAsync(LabNetwork lab, LabHost node)
    {
        var ping = await lab.Client.ExecAsync("ping", "-c", "1", "-W", "1", node.IPv4.ToString());
        Assert.NotEqual(0, ping.ExitCode);
        var other = await lab.Client.ExecAsync("ping", "-c", "1", "-W", "2", lab.Nodes[1].IPv4.ToString());
        Assert.Equal(0, other.ExitCode);
    }

    [Fact]
    public async Task Start_ProcessExitsEarly_WaitFailsFastWithExitCodeAndEnvironment()
    {
        await using var lab = await LabNetwork.CreateAsync(1);
        var process = lab.Nodes[0].Start("sh", ["-c", "echo \"value=$LAB_VALUE\"; echo oops >&2; exit 3"], new Dictionary<string, string> { ["LAB_VALUE"] = "42" });

        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAsync<TimeoutException>(() => process.WaitForOutputAsync("never printed", TimeSpan.FromSeconds(10)));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), watch.Elapsed.ToString());
        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(3, process.ExitCode);
        Assert.Contains("value=42", process.Output);
        Assert.Contains("oops", process.Output);
    }

    [Fact]
    public async Task ExecAsync_Timeout_ThrowsAndKills()
    {
        await using var lab = await LabNetwork.CreateAsync(1);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAsync<TimeoutException>(() => lab.Nodes[0].ExecAsync("sleep", ["30"], TimeSpan.FromMilliseconds(300)));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), watch.Elapsed.ToString());
        Assert.Equal("", (await RunAsync("ip", "netns", "pids", lab.Nodes[0].Namespace)).Trim());
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

    [Fact]
    public async Task PartitionAsync_NodeAgainstRest_BlocksBothWaysAndHealRestores()
    {
        await using var lab = await LabNetwork.CreateAsync(2);
        var (n1, n2, client) = (lab.Nodes[0], lab.Nodes[1], lab.Client);
        Assert.Equal(0, (await Ping(client, n1.IPv4)).ExitCode);

        await lab.PartitionAsync([n1], [n2, client]);
        var cut4 = await Ping(client, n1.IPv4, wait: 1);
        var cut6 = await Ping(n2, n1.IPv6, wait: 1);
        var across = await Ping(client, n2.IPv4);

        await lab.HealAsync();
        var healed4 = await Ping(client, n1.IPv4);
        var healed6 = await Ping(n2, n1.IPv6);

        Assert.NotEqual(0, cut4.ExitCode);
        Assert.NotEqual(0, cut6.ExitCode);
        Assert.True(across.ExitCode == 0, across.StdOut);
        Assert.True(healed4.ExitCode == 0, healed4.StdOut);
        Assert.True(healed6.ExitCode == 0, healed6.StdOut);
    }

    [Fact]
    public async Task SetLossAsync_FiftyPercent_LosesAboutThreeQuartersOfRoundTripsUntilCleared()
    {
        await using var lab = await LabNetwork.CreateAsync(1);
        var node = lab.Nodes[0];
        Assert.Equal(0, (await Ping(lab.Client, node.IPv4)).ExitCode); // resolve ARP first: a lost ARP retries only after 1 s
        await lab.SetLossAsync(node, 50);
        await lab.HealAsync(); // loss is not a partition

        var lossy = Prober.Start(lab.Client, node.IPv4, TimeSpan.FromMilliseconds(2), ProbeKind.Icmp);
        await WaitUntil(() => lossy.SentSoFar >= 300, TimeSpan.FromSeconds(10));
        var withLoss = await lossy.StopAsync();
        await lossy.DisposeAsync();
        await lab.SetLossAsync(node, 0);
        await using var clean = Prober.Start(lab.Client, node.IPv4, TimeSpan.FromMilliseconds(2), ProbeKind.Icmp);
        await WaitUntil(() => clean.SentSoFar >= 100, TimeSpan.FromSeconds(10));
        var without = await clean.StopAsync();
        output.WriteLine(withLoss.ToString());

        // Each way 50 %: 25 % of round trips survive; binomial(300, 0.25) stays within 12–40 % far beyond 4 sigma.
        Assert.InRange((double)withLoss.Received / withLoss.Sent, 0.12, 0.40);
        Assert.Equal(0, without.Lost);
    }

    [Theory]
    [InlineData(ProbeKind.Icmp, false)]
    [InlineData(ProbeKind.Icmp, true)]
    [InlineData(ProbeKind.Udp, false)]
    [InlineData(ProbeKind.Udp, true)]
    public async Task Prober_LiveNode_LosesNothing(ProbeKind kind, bool ipv6)
    {
        await using var lab = await LabNetwork.CreateAsync(1);
        var node = lab.Nodes[0];
        await using var echo = UdpEcho.Start(node);
        var target = ipv6 ? node.IPv6 : node.IPv4;
        var period = TimeSpan.FromMilliseconds(5);
        await using var prober = Prober.Start(lab.Client, target, period, kind);

        await WaitUntil(() => prober.SentSoFar >= 100, TimeSpan.FromSeconds(10));
        var report = await prober.StopAsync();
        output.WriteLine(report.ToString());

        Assert.True(report.Sent >= 100, report.ToString());
        Assert.True(report.Lost == 0, report.ToString());
        Assert.Empty(report.Gaps);
        Assert.True(report.LongestGap >= period * 0.95, report.ToString());
        // Paced, never bursting: the probes spread over at least (Sent - 1) periods.
        Assert.True(report.Duration >= period * (report.Sent - 1) * 0.95, report.ToString());
        if (kind == ProbeKind.Udp)
        {
            Assert.Equal(report.Received, report.Responders["n1"]);
            Assert.Equal(report.Received, echo.Echoed);
        }
    }

    [Fact]
    public async Task Prober_LinkDownFor300Ms_ReportsOneGapOfThatLength()
    {
        await using var lab = await LabNetwork.CreateAsync(1);
        var node = lab.Nodes[0];
        var period = TimeSpan.FromMilliseconds(2);
        await using var prober = Prober.Start(lab.Client, node.IPv4, period, ProbeKind.Icmp);
        await WaitUntil(() => prober.ReceivedSoFar >= 50, TimeSpan.FromSeconds(10));

        var down = prober.Elapsed;
        await node.SetLinkAsync(false);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        await node.SetLinkAsync(true);
        var up = prober.Elapsed;
        var answeredBefore = prober.ReceivedSoFar;
        await WaitUntil(() => prober.ReceivedSoFar >= answeredBefore + 50, TimeSpan.FromSeconds(10));
        var report = await prober.StopAsync();
        output.WriteLine(report.ToString());

        var gap = Assert.Single(report.Gaps);
        Assert.False(gap.Open, report.ToString());
        Assert.True(gap.Duration >= TimeSpan.FromMilliseconds(290), report.ToString());
        Assert.True(gap.Duration <= up - down + TimeSpan.FromMilliseconds(100), $"{report} down {down} up {up}");
        Assert.True(gap.Start >= down - TimeSpan.FromMilliseconds(100) && gap.Start <= down + TimeSpan.FromMilliseconds(150), $"{report} down {down}");
        Assert.Equal(gap.Duration, report.LongestGap);
        Assert.True(gap.Lost >= 1 && gap.Lost * period <= gap.Duration + period, report.ToString());
        Assert.Equal(report.Sent - gap.Lost, report.Received);
    }

    [Fact]
    public async Task Capture_PingFromClient_TsharkDecodesEchoRequestAndReply()
    {
        await using var lab = await LabNetwork.CreateAsync(1);
        var node = lab.Nodes[0];
        await using var capture = await Capture.StartAsync(node, "icmp");

        Assert.Equal(0, (await Ping(lab.Client, node.IPv4)).ExitCode);
        Assert.True(await capture.WaitForPacketsAsync(2, TimeSpan.FromSeconds(5)));
        var pcap = await capture.StopAsync();
        var rows = await Tshark.DecodeAsync(pcap, ["ip.src", "ip.dst", "icmp.type"], "icmp");

        Assert.Equal(2, rows.Count);
        Assert.Equal(["192.0.2.100", "192.0.2.11", "8"], rows[0]);
        Assert.Equal(["192.0.2.11", "192.0.2.100", "0"], rows[1]);
    }

    private static async Task WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"condition not met within {timeout}");
            await Task.Delay(TimeSpan.FromMilliseconds(10));
        }
    }

    private static Task<CommandResult> Ping(LabHost from, System.Net.IPAddress to, int wait = 2) =>
        from.ExecAsync("ping", "-c", "1", "-W", wait.ToString(CultureInfo.InvariantCulture), to.ToString());

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
