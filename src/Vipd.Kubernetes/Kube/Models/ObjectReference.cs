namespace Vipd.Kubernetes.Kube.Models;

/// <summary>A reference to the object an Event is about.</summary>
internal sealed class ObjectReference
{
    public string? ApiVersion { get; set; }
    public string? Kind { get; set; }
    public string? Name { get; set; }
    public string? Namespace { get; set; }
    public string? Uid { get; set; }
    public string? ResourceVersion { get; set; }
}
