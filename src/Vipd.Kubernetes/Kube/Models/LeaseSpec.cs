namespace Vipd.Kubernetes.Kube.Models;

/// <summary>A Lease's spec (times are MicroTime: RFC 3339 with six fraction digits).</summary>
internal sealed class LeaseSpec
{
    public string? HolderIdentity { get; set; }
    public int? LeaseDurationSeconds { get; set; }
    public string? AcquireTime { get; set; }
    public string? RenewTime { get; set; }
    public int? LeaseTransitions { get; set; }
}
