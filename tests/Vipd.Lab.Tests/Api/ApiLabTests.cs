using System.Net;
using System.Security.Cryptography;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Vipd.Api.V1;
using Vipd.Lab.Daemon;

namespace Vipd.Lab.Tests.Api;

/// <summary>The vipd.v1 API of real vipd processes, over each node's Unix socket.</summary>
public sealed class ApiLabTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ProbePeriod = TimeSpan.FromMilliseconds(5);

    /// <summary>Dynamic VIPs need <c>[api] vip_prefixes</c>: the lab's two documentation prefixes.</summary>
    private static readonly VipdClusterOptions DynamicVipsAllowed = new() { ApiExtra = """vip_prefixes = ["192.0.2.0/24", "198.51.100.0/24"]""" };

    [Fact]
    public async Task ReadCalls_ThreeNodes_EveryNodeAgreesOnOwnerAndMembers()
    {
        await using var lab = await LabNetwork.CreateAsync(3);
        await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find());
        var holder = await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, Settle);

        foreach (var node in lab.Nodes)
        {
            using var client = await ApiClient.ConnectAsync(cluster, node, Settle);
            var status = await client.Service.GetStatusAsync(new GetStatusRequest());
            var expectedDigest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(cluster.ConfigPath(node))));
            Assert.Equal(node.Name, status.Node);
            Assert.Equal(expectedDigest, status.ConfigDigest);
            Assert.Equal(cluster.ConfigPath(node), status.ConfigPath);
            Assert.Equal(NodeMode.Active, status.Mode);
            Assert.Equal(3u, status.MembersAlive);
            Assert.Equal(1u, status.VipsTotal);
            Assert.Equal(node == holder ? 1u : 0u, status.VipsHeld);
            Assert.False(string.IsNullOrEmpty(status.Version));

            var vips = await client.Service.ListVipsAsync(new ListVipsRequest());
            var vip = Assert.Single(vips.Vips);
            Assert.Equal("web", vip.Name);
            Assert.Equal($"{LabNetwork.Vip4}/24", vip.Address);
            Assert.Equal("config", vip.Source);
            Assert.Equal(holder.Name, vip.Owner);
            Assert.Equal([holder.Name], vip.Holders);
            Assert.Equal(node == holder ? VipState.Holding : VipState.Standby, vip.State);
            Assert.Equal(3, vip.EligibleNodes.Count);
            Assert.Equal(holder.Name, vip.EligibleNodes[0]);

            var members = await client.Service.ListMembersAsync(new ListMembersRequest());
            Assert.Equal(lab.Nodes.Select(n => n.Name).Order(), members.Members.Select(m => m.Name));
            Assert.All(members.Members, m => Assert.Equal(MemberState.Alive, m.State));
            Assert.Equal(node.Name, Assert.Single(members.Members, m => m.Local).Name);
            Assert.Null(members.Members.Single(m => m.Local).LastHeard);
            Assert.All(members.Members.Where(m => !m.Local), m => Assert.InRange(
                DateTimeOffset.UtcNow - m.LastHeard.ToDateTimeOffset(), TimeSpan.FromSeconds(-1), TimeSpan.FromSeconds(5)));
            Assert.True(members.Members.Single(m => m.Name == holder.Name).Vips.Single(v => v.Vip == "web").Holding);

            var explain = await client.Service.ExplainAsync(new ExplainRequest { Vip = "web" });
            Assert.Equal(holder.Name, explain.Owner);
            Assert.Equal(1u, explain.Candidates[0].Rank);
            var missing = await Assert.ThrowsAsync<RpcException>(() => client.Service.ExplainAsync(new ExplainRequest { Vip = "nope" }).ResponseAsync);
            Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        }
    }

    [Fact]
    public async Task Drain_Holder_VipMovesWithNoProbeLostThenUndrain()
    {
        await using var lab = await LabNetwork.CreateAsync(3);
        await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find());
        var holder = await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, Settle);
        using var client = await ApiClient.ConnectAsync(cluster, holder, Settle);
        await using var prober = Prober.Start(lab.Client, LabNetwork.Vip4, ProbePeriod, ProbeKind.Icmp);
        await Task.Delay(TimeSpan.FromMilliseconds(500));

        var drained = await client.Service.DrainAsync(new DrainRequest { Wait = Duration.FromTimeSpan(TimeSpan.FromSeconds(10)) });
        var successor = await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, Settle, n => n != holder);
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        var report = await prober.StopAsync();

        Assert.True(drained.Complete, $"still held: {string.Join(",", drained.StillHeld)}{Environment.NewLine}{cluster.Logs()}");
        Assert.True(report.Received > 0, "the prober never got an answer");
        Assert.True(report.Lost == 0, $"the drain lost probes at the client: {report}{Environment.NewLine}{cluster.Logs()}");
        Assert.Equal(NodeMode.Drained, (await client.Service.GetStatusAsync(new GetStatusRequest())).Mode);
        using (var other = ApiClient.For(cluster, successor))
        {
            var members = await other.Service.ListMembersAsync(new ListMembersRequest());
            Assert.True(members.Members.Single(m => m.Name == holder.Name).Draining);
        }

        await client.Service.UndrainAsync(new UndrainRequest());
        Assert.Equal(NodeMode.Active, (await client.Service.GetStatusAsync(new GetStatusRequest())).Mode);
        var vip = (await client.Service.ListVipsAsync(new ListVipsRequest())).Vips.Single();
        Assert.Contains(holder.Name, vip.EligibleNodes);
    }

    [Fact]
    public async Task SetMaintenance_OnHolder_VipMovesAndNodeIsIneligible()
    {
        await using var lab = await LabNetwork.CreateAsync(2);
        await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find());
        var holder = await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, Settle);
        using var client = await ApiClient.ConnectAsync(cluster, holder, Settle);

        var on = await client.Service.SetMaintenanceAsync(new SetMaintenanceRequest { Enabled = true });
        var successor = await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, Settle, n => n != holder);

        Assert.Equal(NodeMode.Maintenance, on.Mode);
        var vip = (await client.Service.ListVipsAsync(new ListVipsRequest())).Vips.Single();
        Assert.Equal(successor.Name, vip.Owner);
        Assert.Equal(VipState.Ineligible, vip.State);
        var off = await client.Service.SetMaintenanceAsync(new SetMaintenanceRequest { Enabled = false });
        Assert.Equal(NodeMode.Active, off.Mode);
    }

    [Fact]
    public async Task Reload_GoodThenBadConfig_AddsVipThenRefusesWithPositions()
    {
        var second = IPAddress.Parse("192.0.2.201");
        await using var lab = await LabNetwork.CreateAsync(1);
        await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find());
        var node = await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, Settle);
        using var client = await ApiClient.ConnectAsync(cluster, node, Settle);
        var path = cluster.ConfigPath(node);
        var before = await client.Service.GetStatusAsync(new GetStatusRequest());

        await File.AppendAllTextAsync(path, $"\n[[vip]]\nname = \"api\"\naddress = \"{second}/24\"\ninterface = \"{node.Interface}\"\n");
        var good = await client.Service.ReloadAsync(new ReloadRequest());
        await cluster.WaitForSingleHolderAsync(second, TimeSpan.FromSeconds(5));

        Assert.True(good.Result.Ok);
        Assert.Equal(["api"], good.Result.Added);
        var after = await client.Service.GetStatusAsync(new GetStatusRequest());
        Assert.NotEqual(before.ConfigDigest, after.ConfigDigest);
        Assert.Equal(good.Result.ConfigDigest, after.ConfigDigest);
        Assert.True(after.LastReload.Ok);
        Assert.Empty(good.Result.RestartRequired);

        // A rotated key file is read at start only: the reload says a restart is needed, and the node keeps serving.
        var key = Path.Combine(cluster.Directory, "cluster.key");
        await File.WriteAllTextAsync(key, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n");
        var rotated = await client.Service.ReloadAsync(new ReloadRequest());
        Assert.True(rotated.Result.Ok);
        Assert.Equal([$"the key file {key}"], rotated.Result.RestartRequired);
        Assert.Equal([node], await cluster.HoldersAsync(second));

        await File.AppendAllTextAsync(path, "\n[[vip]]\nname = \"bad\"\naddres = \"192.0.2.202/24\"\n");
        var refused = await Assert.ThrowsAsync<RpcException>(() => client.Service.ReloadAsync(new ReloadRequest()).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains($"{path}:", refused.Status.Detail, StringComparison.Ordinal);
        var trailer = refused.Trailers.GetValueBytes("vipd-reload-result-bin");
        Assert.NotNull(trailer);
        var result = ReloadResponse.Parser.ParseFrom(trailer).Result;
        Assert.False(result.Ok);
        Assert.Contains(result.Errors, e => e.File == path && e.Line > 0 && e.Column > 0 && e.Message.Contains("addres", StringComparison.Ordinal));
        var still = await client.Service.GetStatusAsync(new GetStatusRequest());
        Assert.Equal(after.ConfigDigest, still.ConfigDigest);
        Assert.False(still.LastReload.Ok);
        Assert.Single(await cluster.HoldersAsync(second));
        Assert.Single(await cluster.HoldersAsync(LabNetwork.Vip4));
    }

    [Fact]
    public async Task Watch_HolderStops_SnapshotThenOwnershipEventsInOrder()
    {
        await using var lab = await LabNetwork.CreateAsync(2);
        await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find());
        var holder = await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, Settle);
        var standby = lab.Nodes.Single(n => n != holder);
        using var client = await ApiClient.ConnectAsync(cluster, standby, Settle);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var watch = client.Service.Watch(new WatchRequest(), cancellationToken: timeout.Token);

        Assert.True(await watch.ResponseStream.MoveNext(timeout.Token));
        var first = watch.ResponseStream.Current;
        Assert.Equal(WatchEvent.EventOneofCase.Snapshot, first.EventCase);
        Assert.Equal(holder.Name, first.Snapshot.Vips.Single().Owner);
        Assert.Equal(2, first.Snapshot.Members.Count);

        await cluster.StopAsync(holder, TimeSpan.FromSeconds(10));
        var events = new List<WatchEvent> { first };
        while (!events.Any(e => e.EventCase == WatchEvent.EventOneofCase.Ownership && e.Ownership.Owner == standby.Name)
            || !events.Any(e => e.EventCase == WatchEvent.EventOneofCase.Member && e.Member.Member.Name == holder.Name && e.Member.Member.State == MemberState.Left))
        {
            Assert.True(await watch.ResponseStream.MoveNext(timeout.Token), "the stream ended");
            events.Add(watch.ResponseStream.Current);
        }

        for (var i = 1; i < events.Count; i++)
        {
            Assert.Equal(events[i - 1].Sequence + 1, events[i].Sequence);
        }

        var ownership = events.First(e => e.EventCase == WatchEvent.EventOneofCase.Ownership).Ownership;
        Assert.Equal(holder.Name, ownership.PreviousOwner);
        Assert.Equal(standby.Name, ownership.Owner);
        Assert.Equal(VipState.Holding, ownership.State);
        Assert.False(string.IsNullOrEmpty(ownership.Reason));
    }

    [Fact]
    public async Task ApplyVips_OneNode_BoundAndSurvivesRestart()
    {
        var dynamic = IPAddress.Parse("198.51.100.10");
        await using var lab = await LabNetwork.CreateAsync(1);
        await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find(), DynamicVipsAllowed);
        var node = await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, Settle);
        using (var client = await ApiClient.ConnectAsync(cluster, node, Settle))
        {
            var clash = await Assert.ThrowsAsync<RpcException>(() => client.Service.ApplyVipsAsync(Apply("k8s", ("web", "198.51.100.11/24"))).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, clash.StatusCode);
            var sameAddress = await Assert.ThrowsAsync<RpcException>(() => client.Service.ApplyVipsAsync(Apply("k8s", ("other", $"{LabNetwork.Vip4}/24"))).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, sameAddress.StatusCode);

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            using var watch = client.Service.Watch(new WatchRequest(), cancellationToken: timeout.Token);
            Assert.True(await watch.ResponseStream.MoveNext(timeout.Token));
            Assert.Equal(WatchEvent.EventOneofCase.Snapshot, watch.ResponseStream.Current.EventCase);

            var applied = await client.Service.ApplyVipsAsync(Apply("k8s", ("svc-a", $"{dynamic}/24")));
            Assert.Equal(["svc-a"], applied.Added);
            var seen = new List<WatchEvent>();
            while (!seen.Any(e => e.EventCase == WatchEvent.EventOneofCase.DynamicVips))
            {
                Assert.True(await watch.ResponseStream.MoveNext(timeout.Token), "the stream ended");
                seen.Add(watch.ResponseStream.Current);
            }

            var change = seen.Single(e => e.EventCase == WatchEvent.EventOneofCase.DynamicVips).DynamicVips;
            Assert.Equal(("k8s", node.Name), (change.Source, change.OriginNode));
            Assert.Equal(["svc-a"], change.Applied);
            await cluster.WaitForSingleHolderAsync(dynamic, TimeSpan.FromSeconds(10));
            var vip = (await client.Service.ListVipsAsync(new ListVipsRequest { Source = "k8s" })).Vips.Single();
            Assert.Equal("svc-a", vip.Name);
            Assert.Equal(node.Name, vip.Owner);
            Assert.Equal(2u, (await client.Service.GetStatusAsync(new GetStatusRequest())).VipsTotal);
        }

        await cluster.StopAsync(node, TimeSpan.FromSeconds(10));
        Assert.Empty(await cluster.HoldersAsync(dynamic));
        Assert.True(File.Exists(Path.Combine(cluster.StateDirectory(node), "intents.json")));
        cluster.Start(node);
        await cluster.WaitForSingleHolderAsync(dynamic, Settle);
        using (var client = await ApiClient.ConnectAsync(cluster, node, Settle))
        {
            var removed = await client.Service.RemoveVipsAsync(new RemoveVipsRequest { Source = "k8s", Names = { "svc-a", "nope" } });
            Assert.Equal(["svc-a"], removed.Removed);
            Assert.Equal(["nope"], removed.NotFound);
            for (var i = 0; i < 100 && (await cluster.HoldersAsync(dynamic)).Count > 0; i++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50));
            }

            Assert.Empty(await cluster.HoldersAsync(dynamic));
            var unknown = await Assert.ThrowsAsync<RpcException>(() => client.Service.RemoveVipsAsync(new RemoveVipsRequest { Source = "nobody", All = true }).ResponseAsync);
            Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        }
    }

    [Fact]
    public async Task Move_PreferredNode_VipMovesThere()
    {
        await using var lab = await LabNetwork.CreateAsync(3);
        await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find());
        var holder = await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, Settle);
        var target = lab.Nodes.First(n => n != holder);
        var asker = lab.Nodes.First(n => n != holder && n != target);
        using var client = await ApiClient.ConnectAsync(cluster, asker, Settle);

        var moved = await client.Service.MoveAsync(new MoveRequest { Vip = "web", Node = target.Name });
        await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, Settle, n => n == target);

        Assert.Equal(string.Empty, moved.PreviousPreferredNode);
        var missing = await Assert.ThrowsAsync<RpcException>(() => client.Service.MoveAsync(new MoveRequest { Vip = "nope", Node = target.Name }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        using var other = ApiClient.For(cluster, holder);
        Assert.Equal(target.Name, (await other.Service.ListVipsAsync(new ListVipsRequest())).Vips.Single().PreferredNode);
    }

    [Fact]
    public async Task ApplyVips_ThreeNodes_EveryNodeElectsItOneBindsItAndItPersists()
    {
        var dynamic = IPAddress.Parse("198.51.100.20");
        await using var lab = await LabNetwork.CreateAsync(3);
        await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find(), DynamicVipsAllowed);
        await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, Settle);
        var origin = lab.Nodes[0];
        using (var client = await ApiClient.ConnectAsync(cluster, origin, Settle))
        {
            await client.Service.ApplyVipsAsync(Apply("automation", ("svc-b", $"{dynamic}/24")));
        }

        // A new VIP reaches the nodes a few milliseconds apart: the origin may claim it first and hand it to the
        // best-ranked node once the others list it (a known transient of under ~100 ms). Wait for one agreed holder.
        var holder = await cluster.WaitForSingleHolderAsync(dynamic, Settle);
        var owners = new List<string>();
        for (var attempt = 0; attempt < 50; attempt++)
        {
            owners.Clear();
            foreach (var node in lab.Nodes)
            {
                using var client = ApiClient.For(cluster, node);
                var vips = await client.Service.ListVipsAsync(new ListVipsRequest { Source = "automation" });
                owners.Add(Assert.Single(vips.Vips).Owner);
            }

            holder = await cluster.WaitForSingleHolderAsync(dynamic, Settle);
            if (owners.All(o => o == holder.Name))
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        Assert.All(owners, o => Assert.Equal(holder.Name, o));

        // A restarted node comes back with the dynamic VIP (from its state file and from its peers).
        var restarted = lab.Nodes.First(n => n != holder);
        await cluster.StopAsync(restarted, TimeSpan.FromSeconds(10));
        cluster.Start(restarted);
        using (var client = await ApiClient.ConnectAsync(cluster, restarted, Settle))
        {
            var vip = Assert.Single((await client.Service.ListVipsAsync(new ListVipsRequest { Source = "automation" })).Vips);
            Assert.Equal("svc-b", vip.Name);
        }

        Assert.Equal([holder], await cluster.HoldersAsync(dynamic));
    }

    private static ApplyVipsRequest Apply(string source, params (string Name, string Address)[] vips)
    {
        var request = new ApplyVipsRequest { Source = source };
        request.Vips.AddRange(vips.Select(v => new DynamicVip { Name = v.Name, Address = v.Address }));
        return request;
    }
}
