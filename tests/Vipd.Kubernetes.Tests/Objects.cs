using Vipd.Kubernetes.Allocation;
using Vipd.Kubernetes.Config;
using Vipd.Kubernetes.Kube.Models;

namespace Vipd.Kubernetes.Tests;

/// <summary>Kubernetes objects and configs for tests, with documentation addresses only.</summary>
internal static class Objects
{
    public static Service Service(
        string name,
        int createdSecond = 0,
        string ns = "default",
        string? loadBalancerIp = null,
        string? address = null,
        string? pool = null,
        string? share = null,
        bool local = false,
        int[]? ports = null,
        string type = "LoadBalancer",
        string? lbClass = null,
        string[]? families = null,
        string? familyPolicy = null)
    {
        var annotations = new Dictionary<string, string>();
        if (address is not null)
        {
            annotations[Annotations.Address] = address;
        }

        if (pool is not null)
        {
            annotations[Annotations.Pool] = pool;
        }

        if (share is not null)
        {
            annotations[Annotations.AllowSharedIp] = share;
        }

        return new Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = new ObjectMeta
            {
                Name = name,
                Namespace = ns,
                Uid = $"uid-{ns}-{name}",
                CreationTimestamp = $"2026-01-01T00:00:{createdSecond:00}Z",
                Annotations = annotations,
            },
            Spec = new ServiceSpec
            {
                Type = type,
                LoadBalancerClass = lbClass,
                LoadBalancerIP = loadBalancerIp,
                ExternalTrafficPolicy = local ? "Local" : "Cluster",
                IpFamilies = families is null ? null : [.. families],
                IpFamilyPolicy = familyPolicy,
                Ports = [.. (ports ?? [80]).Select(p => new ServicePort { Name = $"p{p}", Protocol = "TCP", Port = p })],
                ClusterIP = "198.51.100.10",
            },
        };
    }

    public static Service WithIngress(this Service service, params string[] ips)
    {
        service.Status = new ServiceStatus
        {
            LoadBalancer = new LoadBalancerStatus { Ingress = [.. ips.Select(ip => new LoadBalancerIngress { Ip = ip })] },
        };
        return service;
    }

    public static EndpointSlice Slice(string service, string name, string ns = "default", params (string Node, bool Ready)[] endpoints) => new()
    {
        ApiVersion = "discovery.k8s.io/v1",
        Kind = "EndpointSlice",
        Metadata = new ObjectMeta
        {
            Name = name,
            Namespace = ns,
            Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = service },
        },
        AddressType = "IPv4",
        Endpoints = [.. endpoints.Select((e, i) => new Endpoint
        {
            Addresses = [$"198.51.100.{100 + i}"],
            NodeName = e.Node,
            Conditions = new EndpointConditions { Ready = e.Ready, Serving = e.Ready, Terminating = false },
        })],
    };

    public static K8sConfig TestConfig(params PoolConfig[] pools) => new()
    {
        NodeName = "n1",
        Interface = "eth0",
        Pools = pools.Length > 0 ? pools : [Pool("default", "192.0.2.200-192.0.2.203")],
    };

    public static PoolConfig Pool(string name, params string[] entries) => Pool(name, true, entries);

    public static PoolConfig Pool(string name, bool autoAssign, params string[] entries) => new()
    {
        Name = name,
        AutoAssign = autoAssign,
        Ranges = [.. entries.Select(e => PoolParser.TryParse(e, out var r, out var error) ? r : throw new ArgumentException(error))],
    };

    public static ServiceView View(Service service, string? lbClass = null) => ServiceView.From(service, lbClass);
}
