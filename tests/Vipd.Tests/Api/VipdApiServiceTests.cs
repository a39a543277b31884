using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Vipd.Api;
using Vipd.Api.V1;

namespace Vipd.Tests.Api;

public sealed class VipdApiServiceTests
{
    private static readonly CallerIdentity Root = new(ApiTransport.UnixSocket, 0, 0, [], null);
    private static readonly CallerIdentity User = new(ApiTransport.UnixSocket, 1000, 1000, [1000], null);

    private static VipdApiService Service(FakeNode node, CallerIdentity caller) =>
        new(node, new AccessPolicy(null, null), NullLogger.Instance) { IdentifyCaller = _ => caller };

    [Fact]
    public async Task MutatingCalls_UnprivilegedCaller_PermissionDeniedAndNodeUntouched()
    {
        var node = new FakeNode();
        var service = Service(node, User);
        var context = new FakeCallContext();
        Func<Task>[] calls =
        [
            () => service.Drain(new DrainRequest(), context),
            () => service.Undrain(new UndrainRequest(), context),
            () => service.Move(new MoveRequest { Vip = "web", Node = "n2" }, context),
            () => service.SetMaintenance(new SetMaintenanceRequest { Enabled = true }, context),
            () => service.Reload(new ReloadRequest(), context),
            () => service.ApplyVips(new ApplyVipsRequest { Source = "k8s" }, context),
            () => service.RemoveVips(new RemoveVipsRequest { Source = "k8s", All = true }, context),
        ];

        foreach (var call in calls)
        {
            var denied = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
            Assert.Contains("uid 1000", denied.Status.Detail, StringComparison.Ordinal);
        }

        Assert.Empty(node.Commands);
    }

    [Fact]
    public async Task ReadCalls_UnprivilegedCaller_Answered()
    {
        var service = Service(new FakeNode(), User);
        var context = new FakeCallContext();

        Assert.Equal("n1", (await service.GetStatus(new GetStatusRequest(), context)).Node);
        Assert.Equal(2, (await service.ListVips(new ListVipsRequest(), context)).Vips.Count);
        Assert.Equal(["web"], (await service.ListVips(new ListVipsRequest { Source = "config" }, context)).Vips.Select(v => v.Name));
        Assert.Single((await service.ListMembers(new ListMembersRequest(), context)).Members);
        Assert.Equal("n1", (await service.Explain(new ExplainRequest { Vip = "web" }, context)).Owner);
    }

    [Fact]
    public async Task MutatingCalls_Root_ReachTheNode()
    {
        var node = new FakeNode();
        var service = Service(node, Root);
        var context = new FakeCallContext();

        var drained = await service.Drain(new DrainRequest { Wait = Duration.FromTimeSpan(TimeSpan.FromSeconds(3)) }, context);
        var maintenance = await service.SetMaintenance(new SetMaintenanceRequest { Enabled = true }, context);
        await service.Undrain(new UndrainRequest(), context);

        Assert.True(drained.Complete);
        Assert.Equal(NodeMode.Maintenance, maintenance.Mode);
        Assert.Equal(["drain 3", "maintenance True", "undrain"], node.Commands);
    }

    [Theory]
    [InlineData("")]
    [InlineData("missing")]
    public async Task Explain_BadVip_InvalidArgumentOrNotFound(string vip)
    {
        var service = Service(new FakeNode(), User);

        var error = await Assert.ThrowsAsync<RpcException>(() => service.Explain(new ExplainRequest { Vip = vip }, new FakeCallContext()));

        Assert.Equal(vip.Length == 0 ? StatusCode.InvalidArgument : StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Drain_WaitTooLong_InvalidArgument()
    {
        var node = new FakeNode();

        var error = await Assert.ThrowsAsync<RpcException>(() => Service(node, Root).Drain(new DrainRequest { Wait = Duration.FromTimeSpan(TimeSpan.FromHours(1)) }, new FakeCallContext()));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Empty(node.Commands);
    }

    [Fact]
    public async Task Reload_BadConfig_FailedPreconditionWithErrorsInDetailAndTrailer()
    {
        var node = new FakeNode { NextReload = new ReloadResult { Ok = false, Errors = { new ConfigError { File = "/etc/vipd/vipd.toml", Line = 3, Column = 1, Message = "unknown key 'x'" } } } };

        var error = await Assert.ThrowsAsync<RpcException>(() => Service(node, Root).Reload(new ReloadRequest(), new FakeCallContext()));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("/etc/vipd/vipd.toml:3:1: unknown key 'x'", error.Status.Detail, StringComparison.Ordinal);
        var result = ReloadResponse.Parser.ParseFrom(error.Trailers.GetValueBytes(VipdApiService.ReloadResultTrailer)).Result;
        Assert.Equal("unknown key 'x'", Assert.Single(result.Errors).Message);
    }

    [Fact]
    public async Task Watch_EventsPublishedWhileStreaming_SnapshotThenEventsInOrderUntilCancelled()
    {
        var node = new FakeNode();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // cancelled by the test; the delay is only a safety net
        var written = 0;
        var writer = new ListStreamWriter<WatchEvent>
        {
            OnWrite = _ =>
            {
                written++;
                if (written == 1)
                {
                    // The snapshot is out: the node changes twice, then the client goes away.
                    node.Events.Publish(new WatchEvent { Ownership = new OwnershipEvent { Vip = "web", Owner = "n2" } });
                    node.Events.Publish(new WatchEvent { Mode = new ModeEvent { Mode = NodeMode.Drained } });
                }
                else if (written == 3)
                {
                    cancel.Cancel();
                }
            },
        };

        await Service(node, User).Watch(new WatchRequest(), writer, new FakeCallContext(cancel.Token));

        Assert.Equal([WatchEvent.EventOneofCase.Snapshot, WatchEvent.EventOneofCase.Ownership, WatchEvent.EventOneofCase.Mode], writer.Written.Select(e => e.EventCase));
        Assert.Equal([1ul, 2ul, 3ul], writer.Written.Select(e => e.Sequence));
        Assert.Equal(2, writer.Written[0].Snapshot.Vips.Count);
        Assert.Equal(0, node.Events.WatcherCount);
    }

    [Fact]
    public async Task Watch_ClientTooSlow_ResourceExhausted()
    {
        var node = new FakeNode();
        var hub = node.Events;
        var writer = new ListStreamWriter<WatchEvent>
        {
            OnWrite = e =>
            {
                if (e.EventCase == WatchEvent.EventOneofCase.Snapshot)
                {
                    // While the client is busy with the snapshot, more events than its queue holds arrive.
                    for (var i = 0; i < hub.Capacity + 2; i++)
                    {
                        hub.Publish(new WatchEvent { Ownership = new OwnershipEvent { Vip = $"v{i}" } });
                    }
                }
            },
        };

        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // a safety net against a hang, not a timing
        var error = await Assert.ThrowsAsync<RpcException>(() => Service(node, User).Watch(new WatchRequest(), writer, new FakeCallContext(bound.Token)));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal(0, hub.WatcherCount);
    }
}
