using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Vipd.Kubernetes.Config;
using Vipd.Kubernetes.Kube.Models;

namespace Vipd.Kubernetes.Allocation;

/// <summary>What the allocator and the VIP set need to know of one Service, parsed once.</summary>
internal sealed record ServiceView
{
    public required string Namespace { get; init; }

    public required string Name { get; init; }

    public string Key => $"{Namespace}/{Name}";

    public string? Uid { get; init; }

    public DateTimeOffset Created { get; init; }

    /// <summary>type LoadBalancer with this instance's class.</summary>
    public bool Managed { get; init; }

    /// <summary>type LoadBalancer (of any class).</summary>
    public bool IsLoadBalancer { get; init; }

    public IReadOnlyList<IPAddress> Requested { get; init; } = [];

    /// <summary>Why the requested address cannot be read; null: fine.</summary>
    public string? RequestError { get; init; }

    public string? Pool { get; init; }

    public string? SharingKey { get; init; }

    public IReadOnlySet<ServicePortKey> Ports { get; init; } = new HashSet<ServicePortKey>();

    /// <summary><c>externalTrafficPolicy: Local</c>.</summary>
    public bool Local { get; init; }

    /// <summary>The families in order; the first is required, the others only with RequireDualStack.</summary>
    public IReadOnlyList<AddressFamily> Families { get; init; } = [AddressFamily.InterNetwork];

    public bool RequireAllFamilies { get; init; }

    /// <summary>status.loadBalancer.ingress[].ip as written now.</summary>
    public IReadOnlyList<IPAddress> Current { get; init; } = [];

    public Service? Source { get; init; }

    /// <summary>Deterministic order: creation time, then namespace, then name.</summary>
    public static int Compare(ServiceView? a, ServiceView? b)
    {
        if (ReferenceEquals(a, b))
        {
            return 0;
        }

        if (a is null || b is null)
        {
            return a is null ? -1 : 1;
        }

        var c = a.Created.CompareTo(b.Created);
        if (c == 0)
        {
            c = string.CompareOrdinal(a.Namespace, b.Namespace);
        }

        return c == 0 ? string.CompareOrdinal(a.Name, b.Name) : c;
    }

    public static ServiceView From(Service service, string? loadBalancerClass)
    {
        ArgumentNullException.ThrowIfNull(service);
        var meta = service.Metadata;
        var spec = service.Spec;
        var annotations = meta.Annotations ?? [];
        var isLb = spec.Type == "LoadBalancer";
        var requested = new List<IPAddress>();
        string? error = null;
        var text = annotations.GetValueOrDefault(Annotations.Address);
        if (string.IsNullOrWhiteSpace(text))
        {
            text = spec.LoadBalancerIP;
        }

        if (!string.IsNullOrWhiteSpace(text))
        {
            foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (IPAddress.TryParse(part, out var ip) && !part.Contains('/', StringComparison.Ordinal))
                {
                    requested.Add(ip);
                }
                else
                {
                    error = $"'{part}' is not an IP address";
                }
            }

            if (error is null && (requested.Count > 2 || requested.GroupBy(a => a.AddressFamily).Any(g => g.Count() > 1)))
            {
                error = $"'{text}' must be one address, or one IPv4 and one IPv6 address";
            }
        }

        var families = new List<AddressFamily>();
        if (requested.Count > 0 && error is null)
        {
            families.AddRange(requested.Select(a => a.AddressFamily));
        }
        else
        {
            foreach (var family in spec.IpFamilies ?? [])
            {
                families.Add(family == "IPv6" ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork);
            }

            if (families.Count == 0)
            {
                families.Add(AddressFamily.InterNetwork);
            }

            if (spec.IpFamilyPolicy is null or "SingleStack")
            {
                families.RemoveRange(1, families.Count - 1);
            }
        }

        var current = new List<IPAddress>();
        foreach (var ingress in service.Status?.LoadBalancer?.Ingress ?? [])
        {
            if (ingress.Ip is { } ip && IPAddress.TryParse(ip, out var address))
            {
                current.Add(address);
            }
        }

        var created = DateTimeOffset.TryParse(meta.CreationTimestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : DateTimeOffset.MinValue;
        return new ServiceView
        {
            Namespace = meta.Namespace ?? "default",
            Name = meta.Name ?? string.Empty,
            Uid = meta.Uid,
            Created = created,
            IsLoadBalancer = isLb,
            Managed = isLb && spec.LoadBalancerClass == loadBalancerClass,
            Requested = error is null ? requested : [],
            RequestError = error,
            Pool = annotations.GetValueOrDefault(Annotations.Pool) is { Length: > 0 } pool ? pool : null,
            SharingKey = annotations.GetValueOrDefault(Annotations.AllowSharedIp) is { Length: > 0 } key ? key : null,
            Ports = (spec.Ports ?? []).Select(p => new ServicePortKey(p.Protocol ?? "TCP", p.Port)).ToHashSet(),
            Local = spec.ExternalTrafficPolicy == "Local",
            Families = families,
            RequireAllFamilies = spec.IpFamilyPolicy == "RequireDualStack" || requested.Count > 1,
            Current = current,
            Source = service,
        };
    }

    /// <summary>The pool holding <paramref name="address"/>, or null.</summary>
    public static PoolConfig? PoolOf(K8sConfig config, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Pools.FirstOrDefault(p => p.Ranges.Any(r => r.Contains(address)));
    }
}
