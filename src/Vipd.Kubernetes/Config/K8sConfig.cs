namespace Vipd.Kubernetes.Config;

/// <summary>The whole <c>vipd-k8s.toml</c>.</summary>
internal sealed record K8sConfig
{
    /// <summary>The local vipd's gRPC Unix socket.</summary>
    public string VipdSocket { get; init; } = "/run/vipd/vipd.sock";

    /// <summary>This node's name, as Kubernetes (EndpointSlice nodeName) and vipd both know it.</summary>
    public required string NodeName { get; init; }

    /// <summary>The default interface of the VIPs; null: vipd's <c>[node] interface</c> on each node.</summary>
    public string? Interface { get; init; }

    /// <summary>A kubeconfig file; null: the in-cluster service account.</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>The kubeconfig context; null: its current context.</summary>
    public string? Context { get; init; }

    /// <summary>Services with this <c>spec.loadBalancerClass</c>; null: Services without a class (as MetalLB).</summary>
    public string? LoadBalancerClass { get; init; }

    /// <summary>How long changes are gathered before one recomputation (at most 200 ms).</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How often the whole set is applied again even without a change (a restarted vipd gets it back).</summary>
    public TimeSpan Resync { get; init; } = TimeSpan.FromSeconds(10);

    public LeaseConfig Lease { get; init; } = new();

    public required IReadOnlyList<PoolConfig> Pools { get; init; }
}
