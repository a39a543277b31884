namespace Vipd.Kubernetes.Kube.Models;

/// <summary>One port of a Service.</summary>
internal sealed class ServicePort
{
    public string? Name { get; set; }
    public string? Protocol { get; set; }
    public int Port { get; set; }
}
