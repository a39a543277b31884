namespace Vipd.Kubernetes.Kube.Models;

/// <summary>One endpoint of an EndpointSlice.</summary>
internal sealed class Endpoint
{
    public List<string>? Addresses { get; set; }
    public EndpointConditions? Conditions { get; set; }
    public string? NodeName { get; set; }
}
