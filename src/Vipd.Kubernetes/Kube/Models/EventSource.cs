namespace Vipd.Kubernetes.Kube.Models;

/// <summary>Who reported an Event.</summary>
internal sealed class EventSource
{
    public string? Component { get; set; }
    public string? Host { get; set; }
}
