using System.Net;

namespace Vipd.Core.Config;

/// <summary><c>[api]</c>: where the gRPC API listens and who may change state through it.</summary>
public sealed record ApiConfig
{
    /// <summary>The Unix socket path (always served).</summary>
    public required string Socket { get; init; }

    /// <summary>An additional TCP listener, or null.</summary>
    public IPEndPoint? Tcp { get; init; }

    /// <summary>TLS for the TCP listener, or null for plain HTTP/2 (allowed on loopback only).</summary>
    public TlsConfig? Tls { get; init; }

    /// <summary>The Unix group whose members may call mutating methods over the socket; null means root only.</summary>
    public string? MutatingGroup { get; init; }

    /// <summary>
    /// <c>vip_prefixes</c>: the prefixes dynamic VIPs (<c>vipctl vip apply</c>, vipd-k8s) may take their addresses
    /// from, each VIP's prefix route included; empty: dynamic VIPs are refused.
    /// </summary>
    public EquatableArray<IPNetwork> VipPrefixes { get; init; }

    /// <summary>
    /// <c>vip_interfaces</c>: the interfaces dynamic VIPs may bind to; empty: <c>[node] interface</c> and the
    /// interfaces of the <c>[[vip]]</c> tables.
    /// </summary>
    public EquatableArray<string> VipInterfaces { get; init; }
}
