using System.Globalization;
using Vipd.Lab.Daemon;
using Xunit.Abstractions;

namespace Vipd.Lab.Tests;

/// <summary>
/// BGP mode against real FRR: a router namespace (AS 64512, ECMP, BFD 3 × 50 ms) and three nodes, each with vipd and
/// its own FRR that vipd configures through vtysh; a remote client behind the router. The VIP is active-active: every
/// eligible node advertises it.
/// </summary>
public sealed class BgpLabTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task ActiveActive_ThreeNextHopsClientReaches_FailingCheckAndCrashWithdraw()
    {
        var ready = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var bgp = await BgpLab.StartAsync(
            VipdBinary.Find(),
            vipExtra: "checks = [\"ready\"]",
            nodeExtra: node =>
            {
                var path = Path.Combine(node.Network.WorkDirectory, node.Name + ".ready");
                File.WriteAllText(path, "ok\n");
                ready[node.Name] = path;
                return $"""
                    [[check]]
                    name = "ready"
                    type = "file"
                    path = "{path}"
                    interval = "100ms"
                    timeout = "100ms"
                    rise = 1
                    fall = 1
                    """;
            });
        var lab = bgp.Lab;
        var (n1, n2, n3) = (lab.Nodes[0], lab.Nodes[1], lab.Nodes[2]);

        // Every node advertises: three next hops at the router, and the remote client reaches the VIP through them.
        var (_, converged) = await WaitAsync(bgp, [n1, n2, n3], Converge);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"three next hops after {converged.TotalSeconds:0.0} s"));
        output.WriteLine((await bgp.Router.VtyshAsync("show bfd peers brief")).StdOut);
        var ping = await lab.RemoteClient!.ExecAsync("ping", "-c", "3", "-i", "0.2", "-W", "1", BgpLab.Vip.ToString());
        Assert.True(ping.ExitCode == 0, $"the remote client cannot reach {BgpLab.Vip}: {ping.StdOut}{ping.StdErr}");
        var frrConfig = (await bgp.NodeFrr[n1.Name].VtyshAsync("show running-config")).StdOut;
        Assert.Contains("route-map VIPD-EXPORT permit 10", frrConfig, StringComparison.Ordinal);
        Assert.Contains($"neighbor {lab.Router!.IPv4} description vipd", frrConfig, StringComparison.Ordinal);

        // A failing check withdraws: n2's route leaves the router.
        File.Delete(ready[n2.Name]);
        var (_, checkWithdrawn) = await WaitAsync(bgp, [n1, n3], TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(n2, await bgp.AdvertisersAsync());

        // A crash (cable first, then SIGKILL of vipd and its FRR): BFD removes n1's next hop. BFD must be up first: three
        // next hops can show while a BFD session is still in init (then only the hold timer would notice, seen in CI).
        await bgp.WaitForSessionsAsync(Converge, [n1, n3]);
        var crashed = await MeasureAsync(bgp, () => bgp.CrashAsync(n1), [n3], TimeSpan.FromSeconds(10));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"failing check withdrawn at the router after {checkWithdrawn.TotalMilliseconds:0} ms; crash removed after {crashed.TotalMilliseconds:0} ms"));
        Assert.True(crashed < TimeSpan.FromSeconds(2), $"BFD 3 x 50 ms took {crashed.TotalMilliseconds:0} ms to remove the crashed node's next hop");
        ping = await lab.RemoteClient.ExecAsync("ping", "-c", "3", "-i", "0.2", "-W", "1", BgpLab.Vip.ToString());
        Assert.True(ping.ExitCode == 0, $"the remote client cannot reach {BgpLab.Vip} through n3: {ping.StdOut}{ping.StdErr}");

        // The check passes again: n2 advertises again.
        await File.WriteAllTextAsync(ready[n2.Name], "ok\n");
        await WaitAsync(bgp, [n2, n3], TimeSpan.FromSeconds(10));
    }

    /// <summary>
    /// A planned move (a drain, then a SIGTERM) while 32 UDP flows, hashed on L4 over the router's next hops, probe the
    /// VIP every 5 ms: no probe may be lost. The node letting go keeps answering until its withdrawal has reached the
    /// router (the announcer's hold), and an active-standby successor advertises before the owner withdraws.
    /// </summary>
    [Theory]
    [InlineData("active-active")]
    [InlineData("active-standby")]
    public async Task PlannedDrainAndStop_FlowsHashedOverNextHops_NoProbeLost(string policy)
    {
        await using var bgp = await BgpLab.StartAsync(VipdBinary.Find(), policy: policy);
        await bgp.UseL4MultipathHashAsync();
        var echoes = bgp.Lab.Nodes.Select(n => UdpEcho.Start(n)).ToList();
        try
        {
            var nodes = bgp.Lab.Nodes;
            foreach (var step in new[] { "drain", "stop" })
            {
                await bgp.WaitForSessionsAsync(Converge);
                LabHost victim;
                if (policy == "active-standby")
                {
                    victim = await bgp.WaitForSingleAdvertiserAsync(Converge);
                }
                else
                {
                    await bgp.WaitForNextHopsAsync(nodes, Converge);
                    victim = nodes[step == "drain" ? 0 : 1];
                }

                IReadOnlyList<FlowReport> flows;
                await using (var prober = FlowProber.Start(bgp.Lab.RemoteClient!, BgpLab.Vip, 32, TimeSpan.FromMilliseconds(5)))
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(300));
                    if (step == "drain")
                    {
                        using var client = await Api.ApiClient.ConnectAsync(bgp.Cluster, victim, Converge);
                        var drained = await client.Service.DrainAsync(new Vipd.Api.V1.DrainRequest { Wait = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(10)) });
                        Assert.True(drained.Complete, $"the drain of {victim.Name} did not complete: {string.Join(",", drained.StillHeld)}");
                    }
                    else
                    {
                        await bgp.Cluster.StopAsync(victim, TimeSpan.FromSeconds(10));
                    }

                    var others = nodes.Where(n => n != victim).ToList();
                    if (policy == "active-standby")
                    {
                        await bgp.WaitForSingleAdvertiserAsync(TimeSpan.FromSeconds(10), n => n != victim);
                    }
                    else
                    {
                        await bgp.WaitForNextHopsAsync(others, TimeSpan.FromSeconds(10));
                    }

                    // Past the hold's end too: the router must not send this node anything after it stops answering.
                    await Task.Delay(TimeSpan.FromSeconds(1.5));
                    flows = await prober.StopAsync();
                }

                var lost = flows.Sum(f => f.Lost);
                var toVictim = flows.Count(f => f.FirstResponder == victim.Name);
                var worst = flows.MaxBy(f => f.LongestGap)!;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{policy} {step} of {victim.Name}: {toVictim}/{flows.Count} flows were on it, {flows.Count(f => f.Moved)} moved, {lost} probes lost, worst gap {worst.LongestGap.TotalMilliseconds:0.0} ms"));
                Assert.True(toVictim > 0, $"no flow was hashed to {victim.Name}: the step proves nothing");
                Assert.True(lost == 0, $"the {step} of {victim.Name} lost {lost} probes in {flows.Count(f => f.Lost > 0)} flows (worst gap {worst.LongestGap.TotalMilliseconds:0.0} ms at {worst.LongestGapAt:HH:mm:ss.fff}){Environment.NewLine}{bgp.Cluster.Logs()}");
                if (step == "drain")
                {
                    using var client = await Api.ApiClient.ConnectAsync(bgp.Cluster, victim, Converge);
                    await client.Service.UndrainAsync(new Vipd.Api.V1.UndrainRequest());
                }
            }
        }
        finally
        {
            foreach (var echo in echoes)
            {
                await echo.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task ActiveStandby_OwnerOnly_FrrRestartResyncs_CrashMovesTheRoute_OwnerWithoutSessionGivesWay()
    {
        await using var bgp = await BgpLab.StartAsync(VipdBinary.Find(), policy: "active-standby");
        var owner = await bgp.WaitForSingleAdvertiserAsync(Converge);
        await bgp.WaitForSessionsAsync(Converge);

        // The owner's FRR dies: without a BGP session the owner could not advertise, so another node takes the VIP.
        // FRR comes back with an empty config: vipd notices on its next sync and applies its objects again.
        var frr = bgp.NodeFrr[owner.Name];
        var logged = bgp.Cluster.Process(owner).Output.Count;
        await frr.KillAsync();
        var standIn = await bgp.WaitForSingleAdvertiserAsync(TimeSpan.FromSeconds(10), n => n != owner);
        await frr.StartDaemonsAsync(); // with an empty config (a periodic sync may re-apply vipd's objects at once)
        var restarted = System.Diagnostics.Stopwatch.StartNew();
        bool Reapplied() => bgp.Cluster.Process(owner).Output.Skip(logged).Any(l => l.Contains("FRR's copy changed", StringComparison.Ordinal));
        for (var i = 0; i < 300 && !Reapplied(); i++)
        {
            Assert.True(restarted.Elapsed < TimeSpan.FromSeconds(15), "vipd did not re-apply its objects to the restarted FRR within 15 s");
            await Task.Delay(50);
        }

        var resynced = restarted.Elapsed;
        Assert.Contains("VIPD-EXPORT", (await frr.VtyshAsync("show running-config")).StdOut, StringComparison.Ordinal);
        Assert.Contains(bgp.Cluster.Process(owner).Output.Skip(logged), l => l.Contains("no [[bgp.peer]] session Established", StringComparison.Ordinal));
        output.WriteLine($"{owner.Name}'s FRR killed: {standIn.Name} took the VIP over");
        await bgp.WaitForSessionsAsync(Converge);
        owner = await bgp.WaitForSingleAdvertiserAsync(Converge);

        // A crash of the owner: the successor advertises on takeover, the router follows, the remote client resumes.
        await bgp.WaitForSessionsAsync(Converge);
        await using var prober = Prober.Start(bgp.Lab.RemoteClient!, BgpLab.Vip, TimeSpan.FromMilliseconds(5), ProbeKind.Icmp);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        await bgp.CrashAsync(owner);
        var successor = await bgp.WaitForSingleAdvertiserAsync(TimeSpan.FromSeconds(15), n => n != owner);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var report = await prober.StopAsync();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"re-synced after an FRR restart in {resynced.TotalMilliseconds:0} ms; crash of {owner.Name}: {successor.Name} took over, remote client: {report}"));
        Assert.True(report.LongestGap < TimeSpan.FromSeconds(3), $"the remote client's outage was {report.LongestGap.TotalMilliseconds:0} ms");

        // The new owner loses its only BGP session (the router shuts the neighbour down): it could no longer advertise
        // the VIP, so it is no longer eligible, and the third node takes the VIP and advertises it.
        var third = bgp.Lab.Nodes.Single(n => n != owner && n != successor);
        logged = bgp.Cluster.Process(successor).Output.Count;
        var shut = await bgp.Router.VtyshAsync("configure terminal", $"router bgp {BgpLab.RouterAsn}", $"neighbor {successor.IPv4} shutdown");
        Assert.True(shut.ExitCode == 0, shut.StdOut + shut.StdErr);
        var started = DateTime.UtcNow;
        var (_, gaveWay) = await WaitAsync(bgp, [third], TimeSpan.FromSeconds(10));
        await bgp.WaitForSingleAdvertiserAsync(TimeSpan.FromSeconds(5), n => n == third);
        Assert.Contains(bgp.Cluster.Process(successor).Output.Skip(logged), l => l.Contains("no [[bgp.peer]] session Established", StringComparison.Ordinal));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{successor.Name}'s session shut at the router: {third.Name} advertises after {(DateTime.UtcNow - started).TotalMilliseconds:0} ms (next hop {gaveWay.TotalMilliseconds:0} ms)"));
        var ping = await bgp.Lab.RemoteClient!.ExecAsync("ping", "-c", "3", "-i", "0.2", "-W", "1", BgpLab.Vip.ToString());
        Assert.True(ping.ExitCode == 0, $"the remote client cannot reach {BgpLab.Vip} through {third.Name}: {ping.StdOut}{ping.StdErr}");
    }

    [Fact]
    public async Task DualStackWithPasswords_IPv6SessionAdvertisesIPv6Vip_WrongPasswordNoSessionNoVip_FamiliesApart()
    {
        // Every session has a TCP MD5 password; n1's is wrong, so its sessions never come up. Each node also peers over
        // IPv6, which carries the IPv6 VIP (active-active).
        await using var bgp = await BgpLab.StartAsync(
            VipdBinary.Find(),
            dualStack: true,
            password: "lab-secret-64513",
            nodePassword: node => node.Name == "n1" ? "not-the-secret" : null);
        var lab = bgp.Lab;
        var (n1, n2, n3) = (lab.Nodes[0], lab.Nodes[1], lab.Nodes[2]);

        await WaitAsync(bgp, [n2, n3], Converge);
        var (hops6, _) = await bgp.Router.WaitForNextHopsAsync(BgpLab.Vip6, hops => hops.Count == 2, Converge);
        output.WriteLine($"IPv6 next hops: {string.Join(", ", hops6)}");
        output.WriteLine((await bgp.Router.VtyshAsync("show bgp summary")).StdOut);
        var ping6 = await lab.RemoteClient!.ExecAsync("ping", "-6", "-c", "3", "-i", "0.2", "-W", "1", BgpLab.Vip6.ToString());
        Assert.True(ping6.ExitCode == 0, $"the remote client cannot reach {BgpLab.Vip6}: {ping6.StdOut}{ping6.StdErr}");

        // n1 (wrong password) has no session, so it holds neither VIP: it could not advertise them.
        var onLo = (await n1.ExecAsync("ip", "-o", "addr", "show", "dev", "lo")).StdOut;
        Assert.DoesNotContain(BgpLab.Vip.ToString() + "/", onLo, StringComparison.Ordinal);
        Assert.DoesNotContain(BgpLab.Vip6.ToString() + "/", onLo, StringComparison.Ordinal);
        Assert.Contains(bgp.Cluster.Process(n1).Output, l => l.Contains("no [[bgp.peer]] session Established", StringComparison.Ordinal));
        var n1Neighbour = (await bgp.Router.VtyshAsync($"show bgp neighbors {n1.IPv4}")).StdOut;
        Assert.DoesNotContain("BGP state = Established", n1Neighbour, StringComparison.Ordinal);

        // The router shuts n2's IPv6 session only: n2 withdraws the IPv6 VIP and keeps advertising the IPv4 one.
        var shut = await bgp.Router.VtyshAsync("configure terminal", $"router bgp {BgpLab.RouterAsn}", $"neighbor {n2.IPv6} shutdown");
        Assert.True(shut.ExitCode == 0, shut.StdOut + shut.StdErr);
        await bgp.Router.WaitForNextHopsAsync(BgpLab.Vip6, hops => hops.Count == 1, TimeSpan.FromSeconds(10));
        for (var i = 0; i < 100 && (await n2.ExecAsync("ip", "-o", "addr", "show", "dev", "lo")).StdOut.Contains(BgpLab.Vip6.ToString() + "/", StringComparison.Ordinal); i++)
        {
            await Task.Delay(50);
        }

        onLo = (await n2.ExecAsync("ip", "-o", "addr", "show", "dev", "lo")).StdOut;
        Assert.DoesNotContain(BgpLab.Vip6.ToString() + "/", onLo, StringComparison.Ordinal);
        Assert.Contains(BgpLab.Vip.ToString() + "/", onLo, StringComparison.Ordinal);
        Assert.Equal(2, (await bgp.NextHopsAsync()).Count);
    }

    private async Task<(IReadOnlyList<System.Net.IPAddress> Hops, TimeSpan After)> WaitAsync(BgpLab bgp, IReadOnlyList<LabHost> expected, TimeSpan timeout)
    {
        try
        {
            return await bgp.WaitForNextHopsAsync(expected, timeout);
        }
        catch (TimeoutException ex)
        {
            output.WriteLine(bgp.Cluster.Logs());
            throw new TimeoutException($"expected next hops {string.Join(", ", expected.Select(n => n.IPv4))}: {ex.Message}", ex);
        }
    }

    /// <summary>From the start of <paramref name="act"/> to the router's next hops becoming <paramref name="expected"/>.</summary>
    private async Task<TimeSpan> MeasureAsync(BgpLab bgp, Func<Task> act, IReadOnlyList<LabHost> expected, TimeSpan timeout)
    {
        var waiting = WaitAsync(bgp, expected, timeout);
        await act();
        return (await waiting).After;
    }
}
