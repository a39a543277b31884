using System.Net;
using Vipd.Api.V1;
using Vipd.Kubernetes.Allocation;
using Vipd.Kubernetes.Config;

namespace Vipd.Kubernetes.Vips;

/// <summary>
/// The dynamic VIP set for vipd (source "kubernetes"): one VIP per address in the status of a managed Service,
/// when the address is in a pool (foreign addresses are never announced). A shared address is one VIP, named after
/// the first of its Services. <c>Cluster</c>: every node may hold it. <c>Local</c>: only nodes with a ready or
/// serving endpoint (for a shared address, of every Local Service on it); with none the VIP is left out of the set,
/// so nobody announces it (an empty allowed list would mean every node). Every VIP has preempt = false: the holder
/// keeps it while it is still allowed, so endpoints moving between other nodes do not move it.
/// </summary>
internal static class VipSetBuilder
{
    public static List<DynamicVip> Build(K8sConfig config, IEnumerable<ServiceView> services, IReadOnlyDictionary<string, SortedSet<string>> endpoints)
    {
        ArgumentNullException.ThrowIfNull(config);
        var ordered = services.Where(s => s.Managed).ToList();
        ordered.Sort(ServiceView.Compare);
        var byAddress = new Dictionary<IPAddress, List<ServiceView>>();
        var order = new List<IPAddress>();
        foreach (var service in ordered)
        {
            foreach (var ip in service.Current.Distinct())
            {
                if (ServiceView.PoolOf(config, ip) is null)
                {
                    continue;
                }

                if (!byAddress.TryGetValue(ip, out var list))
                {
                    byAddress[ip] = list = [];
                    order.Add(ip);
                }

                list.Add(service);
            }
        }

        var result = new List<DynamicVip>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var ip in order)
        {
            var users = byAddress[ip];
            var first = users[0];
            var pool = ServiceView.PoolOf(config, ip)!;
            var vip = new DynamicVip
            {
                Name = Unique(names, VipName.For(first.Namespace, first.Name, ip.AddressFamily)),
                Address = $"{ip}/{(ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? pool.Ipv4PrefixLength : pool.Ipv6PrefixLength)}",
                Interface = pool.Interface ?? config.Interface ?? string.Empty,
                Preempt = false,
            };
            var local = users.Where(u => u.Local).ToList();
            if (local.Count > 0)
            {
                IEnumerable<string>? allowed = null;
                foreach (var service in local)
                {
                    var nodes = endpoints.TryGetValue(service.Key, out var n) ? n : [];
                    allowed = allowed is null ? nodes : allowed.Intersect(nodes, StringComparer.Ordinal);
                }

                var list = allowed!.Order(StringComparer.Ordinal).ToList();
                if (list.Count == 0)
                {
                    continue;
                }

                vip.AllowedNodes.AddRange(list);
            }

            result.Add(vip);
        }

        result.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return result;
    }

    private static string Unique(HashSet<string> names, string name)
    {
        var candidate = name;
        for (var i = 2; !names.Add(candidate); i++)
        {
            var suffix = $"-{i}";
            candidate = name.Length + suffix.Length <= VipName.MaxLength ? name + suffix : name[..(VipName.MaxLength - suffix.Length)] + suffix;
        }

        return candidate;
    }
}
