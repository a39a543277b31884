namespace Vipd.Kubernetes.Config;

/// <summary>The <c>coordination.k8s.io/v1</c> Lease that picks the one allocator (defaults as client-go and kube-vip).</summary>
internal sealed record LeaseConfig
{
    public string Namespace { get; init; } = "kube-system";

    public string Name { get; init; } = "vipd-k8s";

    /// <summary>How long a holder that stopped renewing keeps the lease in the others' eyes.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>A holder that could not renew for this long stops allocating (less than the duration).</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A holder stops starting writes this long before its renew deadline, so a write that has started ends (or is
    /// cancelled) before the others may take over: they wait the whole duration, which is longer than the renew
    /// deadline. Not a config key.
    /// </summary>
    public TimeSpan WriteMargin { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the holder renews and the others try to acquire.</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);
}
