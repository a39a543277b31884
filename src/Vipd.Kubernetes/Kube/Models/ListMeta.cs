namespace Vipd.Kubernetes.Kube.Models;

/// <summary>Metadata of a list: the resourceVersion to watch from.</summary>
internal sealed class ListMeta
{
    public string? ResourceVersion { get; set; }
    public string? Continue { get; set; }
}
