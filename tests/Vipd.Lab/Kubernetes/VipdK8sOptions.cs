namespace Vipd.Lab.Kubernetes;

/// <summary>How <see cref="VipdK8sNodes"/> configures vipd-k8s (short timings so that a lab test runs in seconds).</summary>
public sealed record VipdK8sOptions
{
    /// <summary>The pool's addresses (<c>[[pool]] addresses</c>), documentation addresses only.</summary>
    public IReadOnlyList<string> PoolAddresses { get; init; } = ["192.0.2.200-192.0.2.203"];

    /// <summary>The pool's IPv4 prefix length on eth0 (<c>ipv4_prefix_length</c>).</summary>
    public int Ipv4PrefixLength { get; init; } = 32;

    /// <summary><c>[kubernetes] debounce</c>.</summary>
    public string Debounce { get; init; } = "50ms";

    /// <summary><c>[kubernetes] resync</c>.</summary>
    public string Resync { get; init; } = "2s";

    /// <summary><c>[lease] duration</c>; <c>renew_deadline</c> is 3/4 of it, <c>retry_period</c> 200 ms.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The fake API server's port on the API host.</summary>
    public int ApiPort { get; init; } = 6443;
}
