namespace Vipd.Kubernetes.Kube.Models;

/// <summary>A metav1.Status: the body of an error, and of a watch ERROR event (410 Gone).</summary>
internal sealed class Status
{
    public string? Kind { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("status")]
    public string? Outcome { get; set; }
    public string? Message { get; set; }
    public string? Reason { get; set; }
    public int Code { get; set; }
}
