namespace Vipd.Kubernetes.Kube.Models;

/// <summary>status.loadBalancer.</summary>
internal sealed class LoadBalancerStatus
{
    public List<LoadBalancerIngress>? Ingress { get; set; }
}
