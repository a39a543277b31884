namespace Vipd.Kubernetes.Kube.Models;

/// <summary>A Service's status: its load-balancer ingress and conditions.</summary>
internal sealed class ServiceStatus
{
    public LoadBalancerStatus? LoadBalancer { get; set; }
    public List<Condition>? Conditions { get; set; }
}
