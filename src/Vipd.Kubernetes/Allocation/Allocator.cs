using System.Net;
using System.Net.Sockets;
using Vipd.Kubernetes.Config;

namespace Vipd.Kubernetes.Allocation;

/// <summary>
/// Assigns pool addresses to Services: a pure function of the config and the Services (their current status
/// included), so any instance that becomes the allocator computes the same result. Services are taken in a fixed
/// order (creation time, namespace, name). First every Service keeps the addresses it already has while they are
/// still valid (so a restart or a new allocator moves nothing), then the others get theirs: the requested address,
/// or the lowest free address of the requested pool or of the auto-assign pools in config order.
/// </summary>
internal static class Allocator
{
    public static IReadOnlyDictionary<string, AllocationResult> Allocate(K8sConfig config, IEnumerable<ServiceView> services)
    {
        ArgumentNullException.ThrowIfNull(config);
        var ordered = services.Where(s => s.Managed).ToList();
        ordered.Sort(ServiceView.Compare);
        var users = new Dictionary<IPAddress, List<ServiceView>>();
        var assigned = ordered.ToDictionary(s => s.Key, _ => new List<IPAddress>());
        var problems = new Dictionary<string, (string Reason, string Message)>();

        // Addresses of LoadBalancers of another class are taken: never hand them out twice.
        foreach (var foreign in services.Where(s => s.IsLoadBalancer && !s.Managed))
        {
            foreach (var ip in foreign.Current.Where(ip => ServiceView.PoolOf(config, ip) is not null))
            {
                Take(users, foreign with { SharingKey = null }, ip);
            }
        }

        // Pass 1: keep what is still valid.
        foreach (var service in ordered)
        {
            if (service.RequestError is not null || (service.Pool is not null && !config.Pools.Any(p => p.Name == service.Pool)))
            {
                continue;
            }

            foreach (var ip in service.Current)
            {
                var mine = assigned[service.Key];
                if (service.Families.Contains(ip.AddressFamily) && mine.All(a => a.AddressFamily != ip.AddressFamily)
                    && Allowed(config, service, ip) && CanUse(users, service, ip) is null)
                {
                    Take(users, service, ip);
                    mine.Add(ip);
                }
            }
        }

        // Pass 2: allocate what is missing.
        foreach (var service in ordered)
        {
            var mine = assigned[service.Key];
            if (service.RequestError is not null)
            {
                problems[service.Key] = ("InvalidAddress", $"annotation {Annotations.Address} or spec.loadBalancerIP: {service.RequestError}");
                continue;
            }

            if (service.Pool is not null && !config.Pools.Any(p => p.Name == service.Pool))
            {
                problems[service.Key] = ("UnknownPool", $"no pool named '{service.Pool}' (annotation {Annotations.Pool})");
                continue;
            }

            for (var i = 0; i < service.Families.Count; i++)
            {
                var family = service.Families[i];
                if (mine.Any(a => a.AddressFamily == family))
                {
                    continue;
                }

                var required = i == 0 || service.RequireAllFamilies;
                var (ip, reason, message) = service.Requested.Count > 0
                    ? Requested(config, users, service, family)
                    : Automatic(config, users, service, family);
                if (ip is not null)
                {
                    Take(users, service, ip);
                    mine.Add(ip);
                }
                else if (required && !problems.ContainsKey(service.Key))
                {
                    problems[service.Key] = (reason!, message!);
                }
            }
        }

        return ordered.ToDictionary(
            s => s.Key,
            s =>
            {
                var ips = assigned[s.Key].OrderBy(a => s.Families.ToList().IndexOf(a.AddressFamily)).ToList();
                return problems.TryGetValue(s.Key, out var p) ? new AllocationResult(ips, p.Reason, p.Message) : new AllocationResult(ips, null, null);
            },
            StringComparer.Ordinal);
    }

    /// <summary>Whether <paramref name="ip"/> may belong to <paramref name="service"/> at all (pool and request).</summary>
    private static bool Allowed(K8sConfig config, ServiceView service, IPAddress ip)
    {
        if (service.Requested.Count > 0 && !service.Requested.Contains(ip))
        {
            return false;
        }

        var pool = ServiceView.PoolOf(config, ip);
        return pool is not null && (service.Pool is null || pool.Name == service.Pool);
    }

    /// <summary>Null when <paramref name="service"/> may use <paramref name="ip"/> beside its current users; else why not.</summary>
    private static string? CanUse(Dictionary<IPAddress, List<ServiceView>> users, ServiceView service, IPAddress ip)
    {
        if (!users.TryGetValue(ip, out var others) || others.Count == 0)
        {
            return null;
        }

        var first = others[0];
        if (service.SharingKey is null || others.Any(o => o.SharingKey != service.SharingKey))
        {
            return $"{ip} is used by {first.Key}; sharing needs annotation {Annotations.AllowSharedIp} with the same key on both";
        }

        if (others.Any(o => o.Local != service.Local))
        {
            return $"{ip} is used by {first.Key} with another externalTrafficPolicy";
        }

        foreach (var other in others)
        {
            var clash = other.Ports.Intersect(service.Ports).OrderBy(p => p.Port).FirstOrDefault();
            if (clash != default)
            {
                return $"{ip} is used by {other.Key} with the same port {clash}";
            }
        }

        return null;
    }

    private static void Take(Dictionary<IPAddress, List<ServiceView>> users, ServiceView service, IPAddress ip)
    {
        if (!users.TryGetValue(ip, out var list))
        {
            users[ip] = list = [];
        }

        list.Add(service);
    }

    private static (IPAddress? Ip, string? Reason, string? Message) Requested(
        K8sConfig config, Dictionary<IPAddress, List<ServiceView>> users, ServiceView service, AddressFamily family)
    {
        var ip = service.Requested.FirstOrDefault(a => a.AddressFamily == family);
        if (ip is null)
        {
            return (null, "InvalidAddress", $"no {Family(family)} address requested");
        }

        var pool = ServiceView.PoolOf(config, ip);
        if (pool is null)
        {
            return (null, "AddressNotInPool", $"{ip} is in no pool");
        }

        if (service.Pool is not null && pool.Name != service.Pool)
        {
            return (null, "AddressNotInPool", $"{ip} is not in pool '{service.Pool}'");
        }

        return CanUse(users, service, ip) is { } why ? (null, "AddressInUse", why) : (ip, null, null);
    }

    private static (IPAddress? Ip, string? Reason, string? Message) Automatic(
        K8sConfig config, Dictionary<IPAddress, List<ServiceView>> users, ServiceView service, AddressFamily family)
    {
        var pools = config.Pools.Where(p => service.Pool is null ? p.AutoAssign : p.Name == service.Pool)
            .Where(p => p.Ranges.Any(r => r.Family == family)).ToList();
        if (pools.Count == 0)
        {
            return (null, "NoPool", service.Pool is null
                ? $"no auto-assign pool has {Family(family)} addresses"
                : $"pool '{service.Pool}' has no {Family(family)} addresses");
        }

        // Sharing: an address already used under the same key, where the ports fit, comes first (as MetalLB).
        if (service.SharingKey is not null)
        {
            var shared = users.Keys
                .Where(ip => ip.AddressFamily == family && pools.Any(p => p.Ranges.Any(r => r.Contains(ip))))
                .OrderBy(IpRange.ToNumber)
                .FirstOrDefault(ip => CanUse(users, service, ip) is null);
            if (shared is not null)
            {
                return (shared, null, null);
            }
        }

        foreach (var pool in pools)
        {
            foreach (var range in pool.Ranges.Where(r => r.Family == family))
            {
                // At most (addresses in use + 1) steps per range, also for a huge IPv6 range.
                for (var n = range.First; ; n++)
                {
                    var ip = IpRange.FromNumber(n, family);
                    if (!users.ContainsKey(ip))
                    {
                        return (ip, null, null);
                    }

                    if (n == range.Last)
                    {
                        break;
                    }
                }
            }
        }

        var names = string.Join(", ", pools.Select(p => $"'{p.Name}'"));
        return (null, "PoolExhausted", $"no free {Family(family)} address in pool {names}");
    }

    private static string Family(AddressFamily family) => family == AddressFamily.InterNetwork ? "IPv4" : "IPv6";
}
