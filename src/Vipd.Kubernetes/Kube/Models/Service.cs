namespace Vipd.Kubernetes.Kube.Models;

/// <summary>A core/v1 Service.</summary>
internal sealed class Service
{
    public string? ApiVersion { get; set; }
    public string? Kind { get; set; }
    public ObjectMeta Metadata { get; set; } = new();
    public ServiceSpec Spec { get; set; } = new();
    public ServiceStatus? Status { get; set; }
}
