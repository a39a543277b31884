namespace Vipd.Kubernetes.Kube.Models;

/// <summary>A coordination.k8s.io/v1 Lease.</summary>
internal sealed class Lease
{
    public string? ApiVersion { get; set; } = "coordination.k8s.io/v1";
    public string? Kind { get; set; } = "Lease";
    public ObjectMeta Metadata { get; set; } = new();
    public LeaseSpec Spec { get; set; } = new();
}
