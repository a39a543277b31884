namespace Vipd.Kubernetes.Kube.Models;

/// <summary>A core/v1 ServiceList.</summary>
internal sealed class ServiceList
{
    public string? ApiVersion { get; set; }
    public string? Kind { get; set; }
    public ListMeta Metadata { get; set; } = new();
    public List<Service> Items { get; set; } = [];
}
