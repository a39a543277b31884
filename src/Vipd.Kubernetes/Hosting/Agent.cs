using Microsoft.Extensions.Logging;
using Vipd.Api.V1;
using Vipd.Kubernetes.Config;
using Vipd.Kubernetes.Controller;
using Vipd.Kubernetes.Feed;
using Vipd.Kubernetes.Kube;
using Vipd.Kubernetes.Kube.Models;
using Vipd.Kubernetes.Vips;

namespace Vipd.Kubernetes.Hosting;

/// <summary>
/// vipd-k8s wired together: two watchers (Services, EndpointSlices) fill the cluster state, the lease elector picks
/// the allocator, the controller turns the state into Service statuses and into vipd's VIP set — both on the lease
/// holder only (vipd replicates the set to every node; one writer, so a lagging follower cannot remove a VIP).
/// </summary>
internal sealed class Agent : IDisposable
{
    private readonly ClusterState _state = new();
    private readonly ResourceWatcher<Service, ServiceList> _services;
    private readonly ResourceWatcher<EndpointSlice, EndpointSliceList> _slices;

    public Agent(K8sConfig config, KubeConnection connection, VipdService.VipdServiceClient vipd, TimeProvider time, Random random, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(loggers);
        var api = new KubeApi(connection, time);
        var kubeLog = loggers.CreateLogger("Vipd.Kubernetes.Kube");
        _services = new ResourceWatcher<Service, ServiceList>(
            api, "api/v1/services", null, KubeJsonContext.Default.Service, KubeJsonContext.Default.ServiceList,
            l => (l.Items, l.Metadata.ResourceVersion), s => s.Metadata, _state.Services, time, random, kubeLog);
        _slices = new ResourceWatcher<EndpointSlice, EndpointSliceList>(
            api, "apis/discovery.k8s.io/v1/endpointslices", EndpointIndex.ServiceNameLabel, KubeJsonContext.Default.EndpointSlice,
            KubeJsonContext.Default.EndpointSliceList, l => (l.Items, l.Metadata.ResourceVersion), s => s.Metadata, _state.Slices, time, random, kubeLog);
        Elector = new LeaseElector(api, config.Lease, config.NodeName, time, kubeLog, _state.Poke);
        var controllerLog = loggers.CreateLogger("Vipd.Kubernetes.Controller");
        Writer = new StatusWriter(api, config, time, controllerLog, () => Elector.IsLeader, () => Elector.LeadershipLeft);
        Feeder = new VipdFeeder(vipd, config.VipdSocket, time, random, controllerLog);
        Controller = new VipController(config, _state, () => Elector.IsLeader, Writer, Feeder, time, controllerLog);
    }

    public LeaseElector Elector { get; }

    public StatusWriter Writer { get; }

    public VipdFeeder Feeder { get; }

    public VipController Controller { get; }

    public ClusterState State => _state;

    /// <summary>Lists of both watchers so far (relists after 410 Gone or an outage add up).</summary>
    public int Lists => _services.Lists + _slices.Lists;

    public Task RunAsync(CancellationToken ct) => Task.WhenAll(
        _services.RunAsync(ct),
        _slices.RunAsync(ct),
        Elector.RunAsync(ct),
        Controller.RunAsync(ct));

    public void Dispose() => _state.Dispose();
}
