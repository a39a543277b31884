namespace Vipd.Kubernetes.Kube.Models;

/// <summary>The part of a Service's spec that decides its load-balancer IPs.</summary>
internal sealed class ServiceSpec
{
    public string? Type { get; set; }
    public string? LoadBalancerClass { get; set; }
    public string? LoadBalancerIP { get; set; }
    public string? ExternalTrafficPolicy { get; set; }
    public List<string>? IpFamilies { get; set; }
    public string? IpFamilyPolicy { get; set; }
    public List<ServicePort>? Ports { get; set; }
    public string? ClusterIP { get; set; }
}
