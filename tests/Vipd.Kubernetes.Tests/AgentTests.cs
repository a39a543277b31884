using System.Diagnostics;
using Vipd.Kubernetes.Allocation;
using Xunit.Abstractions;
using static Vipd.Kubernetes.Tests.Objects;

namespace Vipd.Kubernetes.Tests;

/// <summary>vipd-k8s end to end against the fake API server (HTTP on 127.0.0.1) and a fake vipd (gRPC on a Unix socket).</summary>
public class AgentTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly ITestOutputHelper _output;

    public AgentTests(ITestOutputHelper output) => _output = output;

    private static string? Ingress(Harness h, string name) =>
        h.Api.GetService("default", name)?.Status?.LoadBalancer?.Ingress is { Count: > 0 } i ? string.Join(",", i.Select(x => x.Ip)) : null;

    private static Kube.Models.Condition? Condition(Harness h, string name) =>
        h.Api.GetService("default", name)?.Status?.Conditions?.FirstOrDefault(c => c.Type == Annotations.ConditionType);

    [Fact]
    public async Task Agent_ServiceCreated_StatusWrittenAndVipApplied()
    {
        await using var h = await Harness.StartAsync();
        h.Api.Apply(Service("web", 1));
        h.Api.Apply(Service("plain", 2, type: "ClusterIP"));
        h.StartAgent(h.Config("n1"));

        await Harness.EventuallyAsync(() => Ingress(h, "web") == "192.0.2.200", Timeout, "web gets 192.0.2.200 in its status");
        await Harness.EventuallyAsync(() => h.Vipd.Current.Count == 1, Timeout, "vipd gets the VIP");
        await Harness.EventuallyAsync(() => h.Api.Events.Any(e => e.Reason == "IPAllocated"), Timeout, "the Normal event");

        var vip = h.Vipd.Current[0];
        Assert.Equal("default.web.v4", vip.Name);
        Assert.Equal("192.0.2.200/32", vip.Address);
        Assert.Empty(vip.AllowedNodes);
        Assert.False(vip.Preempt);
        Assert.Equal("True", Condition(h, "web")?.Status);
        Assert.Null(Ingress(h, "plain"));
        Assert.Contains(h.Api.Events, e => e.Reason == "IPAllocated" && e.InvolvedObject.Name == "web" && e.Type == "Normal");
    }

    [Fact]
    public async Task Agent_PoolExhausted_WarningEventAndFalseCondition()
    {
        await using var h = await Harness.StartAsync();
        var config = h.Config("n1", Pool("tiny", "192.0.2.250/32"));
        h.Api.Apply(Service("first", 1));
        h.Api.Apply(Service("second", 2));
        h.StartAgent(config);

        await Harness.EventuallyAsync(() => Condition(h, "second")?.Reason == "PoolExhausted", Timeout, "second reports PoolExhausted");

        Assert.Equal("192.0.2.250", Ingress(h, "first"));
        Assert.Null(Ingress(h, "second"));
        Assert.Equal("False", Condition(h, "second")!.Status);
        await Harness.EventuallyAsync(() => h.Api.Events.Any(e => e.Type == "Warning"), Timeout, "the Warning event (posted after the status)");
        var warning = Assert.Single(h.Api.Events, e => e.Type == "Warning");
        Assert.Equal("PoolExhausted", warning.Reason);
        Assert.Equal("second", warning.InvolvedObject.Name);
        Assert.Equal("Service", warning.InvolvedObject.Kind);

        // Freed on delete: the waiting Service gets the address.
        h.Api.DeleteService("default", "first");
        await Harness.EventuallyAsync(() => Ingress(h, "second") == "192.0.2.250", Timeout, "second gets the freed address");
        await Harness.EventuallyAsync(() => h.Vipd.Current.Select(v => v.Name).SequenceEqual(["default.second.v4"]), Timeout, "vipd follows");
    }

    [Fact]
    public async Task Agent_SharedAddress_BothAskedOneVip()
    {
        await using var h = await Harness.StartAsync();
        h.Api.Apply(Service("dns-tcp", 1, share: "dns", ports: [53]));
        h.Api.Apply(Service("dns-udp", 2, share: "dns", ports: [54]));
        h.Api.Apply(Service("clash", 3, address: "192.0.2.200", share: "dns", ports: [53]));
        h.StartAgent(h.Config("n1"));

        await Harness.EventuallyAsync(() => Ingress(h, "dns-udp") == "192.0.2.200" && Condition(h, "clash")?.Reason == "AddressInUse", Timeout, "sharing and its conflict");
        await Harness.EventuallyAsync(() => h.Api.Events.Any(e => e.Reason == "AddressInUse" && e.InvolvedObject.Name == "clash"), Timeout, "the conflict's event");

        Assert.Equal("192.0.2.200", Ingress(h, "dns-tcp"));
        await Harness.EventuallyAsync(() => h.Vipd.Current.Count == 1, Timeout, "one VIP for the shared address");
        Assert.Equal("default.dns-tcp.v4", h.Vipd.Current[0].Name);
    }

    [Fact]
    public async Task Agent_LocalEndpointMoves_AllowedNodesFollowWithinASecond()
    {
        await using var h = await Harness.StartAsync();
        h.Api.Apply(Service("web", 1, local: true).WithIngress("192.0.2.201"));
        h.Api.Apply(Slice("web", "web-abc", "default", ("n2", true)));
        h.StartAgent(h.Config("n1"));
        await Harness.EventuallyAsync(() => h.Vipd.Current is [{ AllowedNodes: ["n2"] }], Timeout, "allowed = [n2]");

        var latencies = new List<double>();
        string[] nodes = ["n3", "n1", "n2", "n3", "n1"];
        foreach (var node in nodes)
        {
            var before = Stopwatch.GetTimestamp();
            h.Api.Apply(Slice("web", "web-abc", "default", (node, true)));
            await Harness.EventuallyAsync(() => h.Vipd.FirstCallWhere(v => v is [{ AllowedNodes: [var n] }] && n == node, before) is not null, Timeout, $"allowed = [{node}]");
            latencies.Add(Stopwatch.GetElapsedTime(before, h.Vipd.FirstCallWhere(v => v is [{ AllowedNodes: [var n] }] && n == node, before)!.Value).TotalMilliseconds);
        }

        _output.WriteLine($"EndpointSlice change -> ApplyVips: {string.Join(", ", latencies.Select(l => $"{l:F0}"))} ms (debounce 50 ms)");
        Assert.All(latencies, l => Assert.True(l < 1000, $"{l} ms"));

        // No ready endpoint: nobody may announce it, the VIP leaves the set.
        h.Api.Apply(Slice("web", "web-abc", "default", ("n1", false)));
        await Harness.EventuallyAsync(() => h.Vipd.Current.Count == 0, Timeout, "VIP withdrawn without endpoints");
        h.Api.Apply(Slice("web", "web-abc", "default", ("n1", true), ("n2", true)));
        await Harness.EventuallyAsync(() => h.Vipd.Current is [{ AllowedNodes: ["n1", "n2"] }], Timeout, "back with two nodes");
    }

    [Fact]
    public async Task Agent_WatchGone_RelistsAndKeepsWorking()
    {
        await using var h = await Harness.StartAsync();
        h.Api.Apply(Service("web", 1));
        var agent = h.StartAgent(h.Config("n1"));
        await Harness.EventuallyAsync(() => h.Vipd.Current.Count == 1, Timeout, "first VIP");
        Assert.Equal(2, agent.Lists);

        h.Api.Bookmark();
        h.Api.Compact();
        await Harness.EventuallyAsync(() => agent.Lists >= 4, Timeout, "both watchers list again after 410 Gone");
        h.Api.Apply(Service("api", 2));

        await Harness.EventuallyAsync(() => h.Vipd.Current.Count == 2, Timeout, "a Service added after the relist is seen");
        Assert.Equal("192.0.2.201", Ingress(h, "api"));
    }

    [Fact]
    public async Task Agent_ApiServerOutage_KeepsTheSetThenResyncs()
    {
        await using var h = await Harness.StartAsync();
        h.Api.Apply(Service("web", 1));
        h.Api.Apply(Service("db", 2, local: true));
        h.Api.Apply(Slice("db", "db-1", "default", ("n2", true)));
        var agent = h.StartAgent(h.Config("n1"));
        await Harness.EventuallyAsync(() => h.Vipd.Current.Count == 2, Timeout, "two VIPs");
        var before = h.Vipd.Current;

        var stopped = Stopwatch.GetTimestamp();
        await h.Api.StopAsync();
        var callsAtStop = h.Vipd.Calls;
        // Three resync periods without the API server: the set stays as it was, nothing is removed.
        await Task.Delay(TimeSpan.FromSeconds(3), TimeProvider.System);
        Assert.Equal(before, h.Vipd.Current);
        Assert.Null(h.Vipd.FirstCallWhere(v => v.Count != 2, after: stopped));
        _output.WriteLine($"ApplyVips calls during the outage: {h.Vipd.Calls - callsAtStop}");

        // Meanwhile the cluster changed.
        h.Api.DeleteService("default", "web");
        h.Api.Apply(Slice("db", "db-1", "default", ("n3", true)));
        var restarted = Stopwatch.GetTimestamp();
        await h.Api.StartAsync();

        var took = await Harness.EventuallyAsync(
            () => h.Vipd.Current is [{ Name: "default.db.v4", AllowedNodes: ["n3"] }], Timeout, "resynchronised after the outage");
        _output.WriteLine($"resynchronised {Stopwatch.GetElapsedTime(restarted).TotalMilliseconds:F0} ms after the API server came back (watch backoff included)");
        Assert.True(agent.Lists >= 4);
        Assert.True(took < Timeout);
    }

    [Fact]
    public async Task Agent_VipdRestarted_SetAppliedAgain()
    {
        await using var h = await Harness.StartAsync();
        h.Api.Apply(Service("web", 1));
        h.StartAgent(h.Config("n1"));
        await Harness.EventuallyAsync(() => h.Vipd.Current.Count == 1, Timeout, "first VIP");

        await h.Vipd.StopAsync(forget: true);
        await Task.Delay(TimeSpan.FromMilliseconds(500), TimeProvider.System);
        await h.Vipd.StartAsync();

        await Harness.EventuallyAsync(() => h.Vipd.Current.Count == 1, Timeout, "re-applied to the restarted vipd");
    }

    [Fact]
    public async Task Agent_TypeChanged_AddressFreed()
    {
        await using var h = await Harness.StartAsync();
        h.Api.Apply(Service("web", 1));
        h.StartAgent(h.Config("n1"));
        await Harness.EventuallyAsync(() => Ingress(h, "web") is not null && h.Vipd.Current.Count == 1, Timeout, "allocated");

        var changed = h.Api.GetService("default", "web")!;
        changed.Spec.Type = "ClusterIP";
        h.Api.Apply(changed);

        await Harness.EventuallyAsync(() => Ingress(h, "web") is null && h.Vipd.Current.Count == 0, Timeout, "freed and withdrawn");
    }

    [Fact]
    public async Task Agent_TwoInstances_OnlyTheLeaseHolderWrites()
    {
        await using var h = await Harness.StartAsync();
        var a = h.StartAgent(h.Config("n1"), seed: 1);
        var b = h.StartAgent(h.Config("n2"), seed: 2);
        for (var i = 0; i < 3; i++)
        {
            h.Api.Apply(Service($"s{i}", i));
        }

        await Harness.EventuallyAsync(() => Enumerable.Range(0, 3).All(i => Ingress(h, $"s{i}") is not null), Timeout, "all allocated");
        await Harness.EventuallyAsync(() => h.Vipd.Current.Count == 3, Timeout, "three VIPs");
        var holder = h.Api.GetLease("kube-system", "vipd-k8s")!.Spec.HolderIdentity;
        var (leader, follower) = holder == "n1" ? (a, b) : (b, a);

        // IsLeader also needs a renewal within the renew deadline: on a loaded machine wait for the next one.
        await Harness.EventuallyAsync(() => leader.Elector.IsLeader, Timeout, "the holder knows it leads");
        Assert.False(follower.Elector.IsLeader);
        // A write is counted when its response has arrived, a moment after the fake server applied it.
        await Harness.EventuallyAsync(() => leader.Writer.Writes >= 3, Timeout, "three status writes counted");
        Assert.Equal(3, leader.Writer.Writes);
        Assert.Equal(0, follower.Writer.Writes);
        Assert.Equal(["192.0.2.200", "192.0.2.201", "192.0.2.202"], Enumerable.Range(0, 3).Select(i => Ingress(h, $"s{i}")));
        // One writer of the replicated set: the follower's vipd gets it through vipd's gossip.
        // An apply is counted when its response has arrived, too.
        await Harness.EventuallyAsync(() => leader.Feeder.Applies > 0, Timeout, "the holder's apply counted");
        Assert.Equal(0, follower.Feeder.Applies);

        // The holder stops (and hands the lease back): the other takes over and allocates.
        await h.StopAgentAsync(leader);
        h.Api.Apply(Service("late", 9));
        await Harness.EventuallyAsync(() => Ingress(h, "late") == "192.0.2.203", Timeout, "the new allocator serves the new Service");
        await Harness.EventuallyAsync(() => follower.Elector.IsLeader, Timeout, "the new holder knows it leads");
        await Harness.EventuallyAsync(() => follower.Writer.Writes >= 1, Timeout, "the new holder's status write counted");
        Assert.Equal(1, follower.Writer.Writes);
        Assert.Equal(holder == "n1" ? "n2" : "n1", h.Api.GetLease("kube-system", "vipd-k8s")!.Spec.HolderIdentity);
    }

    [Fact]
    public async Task Agent_LeaseOfACrashedHolder_TakenAfterItsDuration()
    {
        await using var h = await Harness.StartAsync();
        h.Api.Apply(new Kube.Models.Lease
        {
            Metadata = new Kube.Models.ObjectMeta { Name = "vipd-k8s", Namespace = "kube-system" },
            Spec = new Kube.Models.LeaseSpec { HolderIdentity = "crashed", LeaseDurationSeconds = 2, RenewTime = "2026-01-01T00:00:00.000000Z", LeaseTransitions = 3 },
        });
        h.Api.Apply(Service("web", 1));
        var started = Stopwatch.GetTimestamp();
        var agent = h.StartAgent(h.Config("n1"));

        // It lists at once but writes nothing (no status, no VIP set) while the lease may still be valid.
        await Harness.EventuallyAsync(() => agent.Controller.SyncedVersion >= 0, Timeout, "first pass");
        Assert.Null(Ingress(h, "web"));
        Assert.Equal(0, h.Vipd.Calls);
        await Harness.EventuallyAsync(() => Ingress(h, "web") == "192.0.2.200", Timeout, "allocated after the takeover");
        var took = Stopwatch.GetElapsedTime(started);
        _output.WriteLine($"lease of a crashed holder taken and Service allocated after {took.TotalMilliseconds:F0} ms (lease duration 2 s)");

        Assert.True(took >= TimeSpan.FromSeconds(2), $"{took}");
        var lease = h.Api.GetLease("kube-system", "vipd-k8s")!;
        Assert.Equal("n1", lease.Spec.HolderIdentity);
        Assert.Equal(4, lease.Spec.LeaseTransitions);
    }

    [Fact]
    public async Task Agent_FollowerThatHasSeenNothing_NeverRemovesTheSet()
    {
        await using var h = await Harness.StartAsync();
        // Another node holds the lease for an hour; the Service has no status yet as far as this instance can see.
        h.Api.Apply(new Kube.Models.Lease
        {
            Metadata = new Kube.Models.ObjectMeta { Name = "vipd-k8s", Namespace = "kube-system" },
            Spec = new Kube.Models.LeaseSpec { HolderIdentity = "n9", LeaseDurationSeconds = 3600, RenewTime = "2026-01-01T00:00:00.000000Z" },
        });
        h.Api.Apply(Service("web", 1));
        var seeded = new Vipd.Api.V1.DynamicVip { Name = "default.web.v4", Address = "192.0.2.200/32", Interface = "eth0", Preempt = false };
        h.Vipd.Seed("kubernetes", [seeded]);
        var agent = h.StartAgent(h.Config("n1"));

        await Harness.EventuallyAsync(() => agent.Controller.SyncedVersion >= 0, Timeout, "first pass");
        // Three resync periods (1 s each): a writer would have applied its (empty) view by now.
        var passes = Stopwatch.StartNew();
        while (passes.Elapsed < TimeSpan.FromSeconds(3.5))
        {
            await Task.Delay(50);
            Assert.Equal(0, h.Vipd.Calls);
        }

        Assert.False(agent.Elector.IsLeader);
        Assert.Equal(0, agent.Feeder.Applies);
        Assert.Equal(0, agent.Writer.Writes);
        Assert.Equal([seeded], h.Vipd.Current);
    }

    [Fact]
    public async Task Agent_LeaseHandOver_NewHolderAppliesTheSameSetWithoutRemoval()
    {
        await using var h = await Harness.StartAsync();
        var a = h.StartAgent(h.Config("n1"), seed: 1);
        var b = h.StartAgent(h.Config("n2"), seed: 2);
        for (var i = 0; i < 3; i++)
        {
            h.Api.Apply(Service($"s{i}", i));
        }

        await Harness.EventuallyAsync(() => h.Vipd.Current.Count == 3, Timeout, "three VIPs");
        var holder = h.Api.GetLease("kube-system", "vipd-k8s")!.Spec.HolderIdentity;
        var (leader, follower) = holder == "n1" ? (a, b) : (b, a);
        var before = h.Vipd.Current;
        Assert.Equal(0, follower.Feeder.Applies);

        var handOver = Stopwatch.GetTimestamp();
        await h.StopAgentAsync(leader);
        await Harness.EventuallyAsync(() => follower.Feeder.Applies >= 1, Timeout, "the new holder applies");
        var took = Stopwatch.GetElapsedTime(handOver);
        _output.WriteLine($"new holder applied {took.TotalMilliseconds:F0} ms after the old one stopped");

        // Nobody applied a smaller set at any time after the hand-over, and the new holder's set is the old one.
        Assert.Null(h.Vipd.FirstCallWhere(v => v.Count < 3, handOver));
        Assert.NotNull(h.Vipd.FirstCallWhere(v => v.Count == 3, handOver));
        Assert.Equal(before, h.Vipd.Current);
        Assert.Equal(0, follower.Writer.Writes);
    }
}
