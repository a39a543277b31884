namespace Vipd.Kubernetes.Kube.Models;

/// <summary>A discovery.k8s.io/v1 EndpointSlice.</summary>
internal sealed class EndpointSlice
{
    public string? ApiVersion { get; set; }
    public string? Kind { get; set; }
    public ObjectMeta Metadata { get; set; } = new();
    public string? AddressType { get; set; }
    public List<Endpoint>? Endpoints { get; set; }
}
