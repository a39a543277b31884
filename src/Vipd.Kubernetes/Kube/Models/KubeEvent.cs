namespace Vipd.Kubernetes.Kube.Models;

/// <summary>A core/v1 Event.</summary>
internal sealed class KubeEvent
{
    public string? ApiVersion { get; set; } = "v1";
    public string? Kind { get; set; } = "Event";
    public ObjectMeta Metadata { get; set; } = new();
    public ObjectReference InvolvedObject { get; set; } = new();
    public string? Reason { get; set; }
    public string? Message { get; set; }
    public string? Type { get; set; }
    public EventSource? Source { get; set; }
    public string? FirstTimestamp { get; set; }
    public string? LastTimestamp { get; set; }
    public int Count { get; set; }
    public string? ReportingComponent { get; set; }
    public string? ReportingInstance { get; set; }
}
