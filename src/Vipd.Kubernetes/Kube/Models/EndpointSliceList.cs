namespace Vipd.Kubernetes.Kube.Models;

/// <summary>A discovery.k8s.io/v1 EndpointSliceList.</summary>
internal sealed class EndpointSliceList
{
    public string? ApiVersion { get; set; }
    public string? Kind { get; set; }
    public ListMeta Metadata { get; set; } = new();
    public List<EndpointSlice> Items { get; set; } = [];
}
