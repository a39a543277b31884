namespace Vipd.Kubernetes.Kube.Models;

/// <summary>The metadata every object carries (the fields vipd-k8s reads or writes).</summary>
internal sealed class ObjectMeta
{
    public string? Name { get; set; }
    public string? Namespace { get; set; }
    public string? Uid { get; set; }
    public string? ResourceVersion { get; set; }
    /// <summary>RFC 3339, e.g. "2026-11-25T23:00:00Z".</summary>
    public string? CreationTimestamp { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
    public Dictionary<string, string>? Annotations { get; set; }
    public string? GenerateName { get; set; }
}
