namespace Vipd.Kubernetes.Kube.Models;

/// <summary>An endpoint's conditions; a missing ready means ready (the API's rule).</summary>
internal sealed class EndpointConditions
{
    public bool? Ready { get; set; }
    public bool? Serving { get; set; }
    public bool? Terminating { get; set; }
}
