using System.Text.Json;
using Vipd.Kubernetes.Kube.Models;
using Vipd.Lab.Kubernetes;

namespace Vipd.Kubernetes.Tests.Fakes;

/// <summary>
/// The fake Kubernetes API server of the lab (tests/Vipd.Lab/Kubernetes/FakeKubeApiServer.cs) on 127.0.0.1, typed
/// with vipd-k8s's own models: objects go in and come out through its source-generated JSON.
/// </summary>
internal sealed class FakeKubeApi : IAsyncDisposable
{
    private readonly FakeKubeApiServer _server = new();

    public int Port => _server.Port;

    public Uri BaseUri => _server.BaseUri;

    public int WatchRequests => _server.WatchRequests;

    public int ListRequests => _server.ListRequests;

    /// <summary>See <see cref="FakeKubeApiServer.LeaseWriteStored"/>.</summary>
    public Func<string, Task>? LeaseWriteStored
    {
        get => _server.LeaseWriteStored;
        set => _server.LeaseWriteStored = value;
    }

    public List<KubeEvent> Events => [.. _server.Events.Select(e => e.Deserialize(KubeJsonContext.Default.KubeEvent)!)];

    /// <summary>"ns/name" of every status patch, in order.</summary>
    public List<string> StatusPatches => [.. _server.StatusPatches];

    public Task StartAsync() => _server.StartAsync();

    /// <summary>The outage: cut every watch, refuse connections.</summary>
    public Task StopAsync() => _server.StopAsync();

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    public void Apply(Service service) => _server.Put(FakeKubeApiServer.Services, JsonSerializer.SerializeToNode(service, KubeJsonContext.Default.Service)!.AsObject());

    public void Apply(EndpointSlice slice) => _server.Put(FakeKubeApiServer.EndpointSlices, JsonSerializer.SerializeToNode(slice, KubeJsonContext.Default.EndpointSlice)!.AsObject());

    public void Apply(Lease lease) => _server.Put(FakeKubeApiServer.Leases, JsonSerializer.SerializeToNode(lease, KubeJsonContext.Default.Lease)!.AsObject());

    public void DeleteService(string ns, string name) => _server.Delete(FakeKubeApiServer.Services, ns, name);

    public void DeleteSlice(string ns, string name) => _server.Delete(FakeKubeApiServer.EndpointSlices, ns, name);

    public Service? GetService(string ns, string name) => _server.Get(FakeKubeApiServer.Services, ns, name)?.Deserialize(KubeJsonContext.Default.Service);

    public Lease? GetLease(string ns, string name) => _server.Get(FakeKubeApiServer.Leases, ns, name)?.Deserialize(KubeJsonContext.Default.Lease);

    /// <summary>Forget the event history (etcd compaction): a watch from an older resourceVersion gets 410 Gone.</summary>
    public void Compact() => _server.Compact();

    /// <summary>Sends a BOOKMARK to every open watch.</summary>
    public void Bookmark() => _server.Bookmark();
}
