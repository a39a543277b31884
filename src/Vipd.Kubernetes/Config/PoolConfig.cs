namespace Vipd.Kubernetes.Config;

/// <summary>One <c>[[pool]]</c>: the addresses Services may get, and how they are bound.</summary>
internal sealed record PoolConfig
{
    public required string Name { get; init; }

    /// <summary>Inclusive ranges in the order written.</summary>
    public required IReadOnlyList<IpRange> Ranges { get; init; }

    /// <summary>False: only Services that ask for this pool (annotation) or one of its addresses get one.</summary>
    public bool AutoAssign { get; init; } = true;

    /// <summary>The interface the VIPs of this pool are bound to; null: <c>[node] interface</c>.</summary>
    public string? Interface { get; init; }

    /// <summary>Prefix length of an IPv4 VIP on the interface (32: no subnet route, as kube-vip).</summary>
    public int Ipv4PrefixLength { get; init; } = 32;

    /// <summary>Prefix length of an IPv6 VIP on the interface.</summary>
    public int Ipv6PrefixLength { get; init; } = 128;
}
