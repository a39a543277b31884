using Vipd.Kubernetes.Kube.Models;

namespace Vipd.Kubernetes.Controller;

/// <summary>A consistent copy of <see cref="ClusterState"/>.</summary>
/// <param name="Services">Every Service (all types; the controller filters).</param>
/// <param name="Slices">Every EndpointSlice that belongs to a Service.</param>
/// <param name="Synced">Both watchers listed at least once: the view is complete.</param>
/// <param name="Connected">Both watchers are connected now.</param>
/// <param name="Version">Bumped by every change.</param>
internal sealed record ClusterSnapshot(
    IReadOnlyList<Service> Services,
    IReadOnlyList<EndpointSlice> Slices,
    bool Synced,
    bool Connected,
    long Version);
