namespace Vipd.Kubernetes.Kube.Models;

/// <summary>One entry of status.loadBalancer.ingress.</summary>
internal sealed class LoadBalancerIngress
{
    public string? Ip { get; set; }
    public string? Hostname { get; set; }
    public string? IpMode { get; set; }
}
