using System.Diagnostics;
using System.Globalization;
using System.Net;
using Vipd.Api.V1;
using Vipd.Lab.Daemon;
using Vipd.Lab.Kubernetes;
using Vipd.Lab.Tests.Api;
using Xunit.Abstractions;

namespace Vipd.Lab.Tests.Kubernetes;

/// <summary>
/// vipd-k8s end to end (issue 7): real vipd processes in the lab namespaces, the real vipd-k8s executable inside each
/// node's namespace (as the hostNetwork DaemonSet runs it) talking to its node's vipd over the API socket and to a
/// fake Kubernetes API server that listens on the client's lab address (192.0.2.100:6443), so that every packet,
/// HTTP included, stays on the lab bridge.
/// </summary>
public sealed class KubernetesLabTests
{
    private const int TestTimeout = 180_000;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ProbePeriod = TimeSpan.FromMilliseconds(5);

    /// <summary>The first address of the lab pool (192.0.2.200-192.0.2.203): the one the first Service gets.</summary>
    private static readonly IPAddress Address = LabNetwork.Vip4;

    /// <summary>The nodes have no VIP of their own: only what vipd-k8s applies, from the lab's prefix ([api] vip_prefixes).</summary>
    private static readonly VipdClusterOptions NoStaticVips = new()
    {
        Vips = [],
        ApiExtra = "vip_prefixes = [\"192.0.2.0/24\", \"2001:db8::/64\"]\nvip_interfaces = [\"eth0\"]",
    };

    private readonly ITestOutputHelper _output;

    public KubernetesLabTests(ITestOutputHelper output) => _output = output;

    [Fact(Timeout = TestTimeout)]
    public async Task Service_ClusterPolicy_OneNodeAnnouncesItsAddressAndTheStatusHasIt()
    {
        await using var lab = await LabNetwork.CreateAsync(3);
        await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find(), NoStaticVips);
        await using var k8s = await VipdK8sNodes.StartAsync(lab, cluster, VipdK8sBinary.Find(), lab.Client);
        await k8s.WaitAsync(() => k8s.LeaseHolder() is not null, Settle, "an allocator holds the Lease");
        await using var prober = Prober.Start(lab.Client, Address, ProbePeriod, ProbeKind.Icmp);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.Equal(0, prober.ReceivedSoFar);

        var created = prober.Elapsed;
        k8s.Api.Put(FakeKubeApiServer.Services, KubeObjects.Service("web", local: false));
        var statusAfter = await k8s.WaitAsync(() => k8s.IngressIp(KubeObjects.Namespace, "web") is not null, Settle, "the Service's status gets an ingress IP");
        await k8s.WaitAsync(() => prober.ReceivedSoFar > 0, Settle, $"the client gets an answer from {Address}");
        var answering = prober.Elapsed - created;
        var (holder, changes) = await StableHolderAsync(cluster, k8s);
        var report = await prober.StopAsync();

        Assert.Equal(Address.ToString(), k8s.IngressIp(KubeObjects.Namespace, "web"));
        Assert.Equal(holder.Mac, (await lab.Client.NeighborAsync(Address))?.Mac);
        using (var api = ApiClient.For(cluster, lab.Nodes.First(n => n != holder)))
        {
            var vip = Assert.Single((await api.Service.ListVipsAsync(new ListVipsRequest { Source = "kubernetes" })).Vips);
            Assert.Equal("default.web.v4", vip.Name);
            Assert.Equal(holder.Name, vip.Owner);
            Assert.Equal(3, vip.EligibleNodes.Count);
        }

        Log($"Service created -> status.loadBalancer.ingress written: {Ms(statusAfter)} ms; -> {Address} answers the client's ping: {Ms(answering)} ms (holder {holder.Name}, {changes} holder changes seen after the first answer; {report.Received} answers)");
    }

    [Fact(Timeout = TestTimeout)]
    public async Task LocalPolicy_EndpointMovesToAnotherNode_VipFollowsIt()
    {
        await using var lab = await LabNetwork.CreateAsync(3);
        var (b, c) = (lab.Nodes[1], lab.Nodes[2]);
        await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find(), NoStaticVips);
        await using var k8s = await VipdK8sNodes.StartAsync(lab, cluster, VipdK8sBinary.Find(), lab.Client);
        k8s.Api.Put(FakeKubeApiServer.EndpointSlices, KubeObjects.Slice("web", "web-abc", b.Name));
        k8s.Api.Put(FakeKubeApiServer.Services, KubeObjects.Service("web", local: true));
        await ConvergedAsync(lab, cluster, k8s);
        await cluster.WaitForSingleHolderAsync(Address, Settle, n => n == b);
        await using var prober = Prober.Start(lab.Client, Address, ProbePeriod, ProbeKind.Icmp);
        await k8s.WaitAsync(() => prober.ReceivedSoFar > 2, Settle, $"the client reaches {Address} on {b.Name}");
        Assert.Equal(b.Mac, (await lab.Client.NeighborAsync(Address))?.Mac);
        using (var api = ApiClient.For(cluster, c))
        {
            var vips = (await api.Service.ListVipsAsync(new ListVipsRequest { Source = "kubernetes" })).Vips;
            Assert.True(vips.Count == 1 && vips[0].EligibleNodes.SequenceEqual([b.Name]), $"{c.Name}'s vipd has {vips}{Environment.NewLine}{k8s.Logs()}");
        }

        var moved = Stopwatch.GetTimestamp();
        var movedAt = prober.Elapsed;
        k8s.Api.Put(FakeKubeApiServer.EndpointSlices, KubeObjects.Slice("web", "web-abc", c.Name));
        await lab.Client.WaitForNeighborAsync(Address, e => Equals(e?.Mac, c.Mac), Settle);
        var macAfter = Stopwatch.GetElapsedTime(moved);
        await cluster.WaitForSingleHolderAsync(Address, Settle, n => n == c);
        var received = prober.ReceivedSoFar;
        await k8s.WaitAsync(() => prober.ReceivedSoFar > received + 2, Settle, $"the client reaches {Address} on {c.Name}");
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var report = await prober.StopAsync();

        Assert.Equal([c], await cluster.HoldersAsync(Address));
        var gap = report.Gaps.Where(g => g.End >= movedAt).Select(g => g.Duration).DefaultIfEmpty(TimeSpan.Zero).Max();
        Log($"EndpointSlice moved {b.Name} -> {c.Name}: client sees {c.Name}'s MAC after {Ms(macAfter)} ms; longest probe gap {Ms(gap)} ms ({report.Lost} of {report.Sent} probes lost)");
        // Target: < 1 s (EndpointSlice to ApplyVips) + vipd's hand-over; a bound with room for a loaded machine.
        Assert.True(macAfter < TimeSpan.FromSeconds(2), $"the VIP followed the endpoint after {Ms(macAfter)} ms{Environment.NewLine}{k8s.Logs()}");

        // No endpoint can serve any more: nobody announces the address (and it comes back with a ready endpoint).
        var unready = Stopwatch.GetTimestamp();
        k8s.Api.Put(FakeKubeApiServer.EndpointSlices, KubeObjects.Slice("web", "web-abc", ready: false, c.Name));
        for (var attempt = 0; attempt < 2_000 && (await cluster.HoldersAsync(Address)).Count > 0; attempt++)
        {
            Assert.True(Stopwatch.GetElapsedTime(unready) < Settle, $"a node still holds {Address} without a serving endpoint{Environment.NewLine}{k8s.Logs()}");
            await Task.Delay(TimeSpan.FromMilliseconds(10));
        }

        var goneAfter = Stopwatch.GetElapsedTime(unready);
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.Empty(await cluster.HoldersAsync(Address));
        var ping = await lab.Client.ExecAsync("ping", "-c", "1", "-W", "1", Address.ToString());
        Assert.NotEqual(0, ping.ExitCode);
        k8s.Api.Put(FakeKubeApiServer.EndpointSlices, KubeObjects.Slice("web", "web-abc", b.Name));
        await cluster.WaitForSingleHolderAsync(Address, Settle, n => n == b);
        Log($"endpoint not ready: nobody holds {Address} after {Ms(goneAfter)} ms; ready again on {b.Name}: it holds it again");
    }

    [Fact(Timeout = TestTimeout)]
    public async Task ApiServerDown_HolderCrashes_AnotherNodeTakesOverAndKeepsItAfterTheApiReturns()
    {
        await using var lab = await LabNetwork.CreateAsync(3);
        await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find(), NoStaticVips);
        await using var k8s = await VipdK8sNodes.StartAsync(lab, cluster, VipdK8sBinary.Find(), lab.Client);
        k8s.Api.Put(FakeKubeApiServer.Services, KubeObjects.Service("web", local: false));
        await cluster.WaitForSingleHolderAsync(Address, Settle);
        await k8s.WaitAsync(() => k8s.IngressIp(KubeObjects.Namespace, "web") is not null, Settle, "the Service's status gets an ingress IP");
        await using var prober = Prober.Start(lab.Client, Address, ProbePeriod, ProbeKind.Icmp);
        await k8s.WaitAsync(() => prober.ReceivedSoFar > 2, Settle, $"the client reaches {Address}");

        // Every vipd has the VIP and no vipd-k8s's last call removed it, for longer than a resync period (so no
        // instance with an older view can still overwrite the replicated set); one node holds it; the client talks to it.
        await ConvergedAsync(lab, cluster, k8s);
        var (holder, _) = await StableHolderAsync(cluster, k8s);
        await lab.Client.WaitForNeighborAsync(Address, e => Equals(e?.Mac, holder.Mac), Settle);

        // The API server's outage: every watch is cut, connections are refused.
        await k8s.Api.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.All(lab.Nodes, n => Assert.False(k8s.Process(n).HasExited, $"vipd-k8s on {n.Name} exited during the outage"));
        var still = await cluster.HoldersAsync(Address);
        Assert.True(still.Count == 1 && still[0] == holder, $"1 s into the outage: {string.Join(",", still.Select(h => h.Name))}{Environment.NewLine}{k8s.Logs()}");

        // The holder's vipd dies (SIGKILL by PID) and its node drops off the network, as in the core crash test.
        var crashAt = prober.Elapsed;
        var crashed = Stopwatch.GetTimestamp();
        cluster.Process(holder).Kill(LabProcess.SigKill);
        await holder.SetLinkAsync(false);
        var successor = await cluster.WaitForSingleHolderAsync(Address, Settle, n => n != holder);
        await lab.Client.WaitForNeighborAsync(Address, e => Equals(e?.Mac, successor.Mac), Settle);
        var macAfter = Stopwatch.GetElapsedTime(crashed);
        var received = prober.ReceivedSoFar;
        await k8s.WaitAsync(() => prober.ReceivedSoFar > received + 2, Settle, $"the client reaches {Address} on {successor.Name}");
        var report = await prober.StopAsync();
        var gap = report.Gaps.Where(g => g.End >= crashAt).Select(g => g.Duration).DefaultIfEmpty(TimeSpan.Zero).Max();
        Log($"API server down, holder {holder.Name} crashed: {successor.Name} took over; client sees its MAC after {Ms(macAfter)} ms; outage at the client (longest probe gap) {Ms(gap)} ms; gaps: {string.Join(", ", report.Gaps.Select(g => $"{Ms(g.Start)}-{Ms(g.End)}"))}; crash at {Ms(crashAt)}");
        Assert.True(gap < TimeSpan.FromSeconds(3), $"outage {Ms(gap)} ms{Environment.NewLine}{k8s.Logs()}");
        Assert.False(k8s.Api.IsRunning);

        // The survivors still have the set (nobody removed it while the API server was gone) ...
        foreach (var node in lab.Nodes.Where(n => n != holder))
        {
            using var api = ApiClient.For(cluster, node);
            var vips = (await api.Service.ListVipsAsync(new ListVipsRequest { Source = "kubernetes" })).Vips;
            Assert.True(vips.Count == 1 && vips[0].Owner == successor.Name, $"{node.Name}'s vipd has {vips}{Environment.NewLine}{k8s.Logs()}");
        }

        // ... and when the API server is back they resynchronise without moving or dropping the VIP.
        var patches = k8s.Api.StatusPatches.Count;
        await k8s.Api.StartAsync();
        var watches = k8s.Api.WatchRequests;
        await k8s.WaitAsync(() => k8s.Api.WatchRequests >= watches + 4, Settle, "the survivors watch again");
        await Task.Delay(TimeSpan.FromSeconds(3));
        var after = await cluster.HoldersAsync(Address);
        Assert.True(after.Count == 1 && after[0] == successor, $"after the API server returned: {string.Join(",", after.Select(h => h.Name))}{Environment.NewLine}{k8s.Logs()}");
        Assert.Equal(Address.ToString(), k8s.IngressIp(KubeObjects.Namespace, "web"));
        Log($"API server back: {k8s.Api.StatusPatches.Count - patches} status patches, still held by {successor.Name}");
    }

    /// <summary>
    /// The reproducer of a vipd election defect this lab found (4 of 5 runs on 2026-11-26): a dynamic VIP reaches the
    /// nodes' vipd at slightly different times; the first node that has it claims it (rank 1 among the nodes it knows
    /// to have it), then the overall rank-1 node claims it too before it has seen that claim, and with
    /// <c>preempt = false</c> the two resolve the double claim differently ("keeps it: preempt off" on one, "rank 1
    /// wins" on the other): the owner flips between them for ~200 ms (hundreds of "released/acquired" lines, "repaired:
    /// address was removed by hand" for its own release) and ends on the rank-1 node, e.g. holders
    /// n3 -> n1+n3 -> n1 -> n1+n3 -> n1. It also catches the second defect (the sequence shows "nobody"): every vipd-k8s
    /// applies its own view with ApplyVips(replace) and vipd replicates the set last-writer-wins, so an instance that has
    /// not yet seen the Service's status removes the VIP on every node until some instance applies again (a resync
    /// later; never while the API server is down). Skipped so that tests/run stays green until both are fixed
    /// (src/Vipd.Core and src/Vipd.Kubernetes, not this helper's); remove the Skip then.
    /// </summary>
    [Fact(Timeout = TestTimeout)]
    public async Task Service_AppliedByEveryNode_FirstHolderKeepsTheVip()
    {
        await using var lab = await LabNetwork.CreateAsync(3);
        await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find(), NoStaticVips);
        await using var k8s = await VipdK8sNodes.StartAsync(lab, cluster, VipdK8sBinary.Find(), lab.Client);
        await k8s.WaitAsync(() => k8s.LeaseHolder() is not null, Settle, "an allocator holds the Lease");

        k8s.Api.Put(FakeKubeApiServer.Services, KubeObjects.Service("web", local: false));
        var seen = new List<string>();
        var start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start) < TimeSpan.FromSeconds(4))
        {
            var holders = string.Join("+", (await cluster.HoldersAsync(Address)).Select(h => h.Name));
            holders = holders.Length > 0 || seen.Count == 0 ? holders : "nobody";
            if (holders.Length > 0 && (seen.Count == 0 || seen[^1] != holders))
            {
                seen.Add(holders);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(5));
        }

        // Sticky ownership (issue 7, MetalLB's churn): whoever claims the Service's address first keeps it, alone.
        Log($"holders of {Address} after the Service was created, in order: {string.Join(" -> ", seen)}");
        Assert.True(seen.Count == 1 && !seen[0].Contains('+', StringComparison.Ordinal) && seen[0] != "nobody", $"holders in order: {string.Join(" -> ", seen)}{Environment.NewLine}{k8s.Logs()}");
    }

    /// <summary>
    /// Waits (bounded) until, for 2.5 s (more than the 2 s resync), every node's vipd lists the one kubernetes VIP and
    /// no vipd-k8s's last ApplyVips left it out.
    /// </summary>
    private static async Task ConvergedAsync(LabNetwork lab, VipdCluster cluster, VipdK8sNodes k8s)
    {
        var start = Stopwatch.GetTimestamp();
        var since = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start) < Settle)
        {
            var good = lab.Nodes.All(n => k8s.LastAppliedCount(n) is null or 1);
            foreach (var node in lab.Nodes)
            {
                using var api = ApiClient.For(cluster, node);
                good &= (await api.Service.ListVipsAsync(new ListVipsRequest { Source = "kubernetes" })).Vips.Count == 1;
            }

            if (!good)
            {
                since = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(since) > TimeSpan.FromMilliseconds(2500))
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        throw new TimeoutException($"the kubernetes VIP set did not settle on every node within {Settle.TotalSeconds} s{Environment.NewLine}{k8s.Logs()}");
    }

    /// <summary>
    /// Waits (bounded) until one node has held <see cref="Address"/> alone for a second (polled every ~20 ms) and
    /// returns it with the number of holder changes seen on the way.
    /// </summary>
    private static async Task<(LabHost Holder, int Changes)> StableHolderAsync(VipdCluster cluster, VipdK8sNodes k8s)
    {
        var start = Stopwatch.GetTimestamp();
        var changes = 0;
        LabHost? current = null;
        LabHost? last = null;
        var since = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start) < Settle)
        {
            var holders = await cluster.HoldersAsync(Address);
            var single = holders.Count == 1 ? holders[0] : null;
            if (single != current)
            {
                changes += single is not null && last is not null && single != last ? 1 : 0;
                last = single ?? last;
                current = single;
                since = Stopwatch.GetTimestamp();
            }
            else if (current is not null && Stopwatch.GetElapsedTime(since) >= TimeSpan.FromSeconds(1))
            {
                return (current, changes);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }

        throw new TimeoutException($"no node held {Address} alone for 1 s within {Settle.TotalSeconds} s ({changes} changes){Environment.NewLine}{k8s.Logs()}");
    }

    private static string Ms(TimeSpan span) => span.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture);

    private void Log(string line) => _output.WriteLine(line);
}
