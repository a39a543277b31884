namespace Vipd.Kubernetes.Kube.Models;

/// <summary>A metav1.Condition.</summary>
internal sealed class Condition
{
    public string Type { get; set; } = "";
    public string Status { get; set; } = "";
    public long? ObservedGeneration { get; set; }
    public string? LastTransitionTime { get; set; }
    public string Reason { get; set; } = "";
    public string Message { get; set; } = "";
}
