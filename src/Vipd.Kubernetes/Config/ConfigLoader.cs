using System.Net.Sockets;
using System.Text.RegularExpressions;
using Vipd.Core.Config;
using Vipd.Core.Config.Toml;

namespace Vipd.Kubernetes.Config;

/// <summary>
/// Loads <c>vipd-k8s.toml</c> the way vipd loads its own file: Tomlyn's syntax tree (no reflection, NativeAOT-safe),
/// every error collected and reported as <c>FILE:LINE:COL: message</c>.
/// </summary>
internal static partial class ConfigLoader
{
    /// <summary>Reads and loads the config file at <paramref name="path"/>.</summary>
    public static ConfigResult Load(string path, string defaultNodeName)
    {
        var errors = new ErrorCollector(path);
        return Load(TomlTreeBuilder.ParseFile(path, errors), errors, defaultNodeName);
    }

    /// <summary>Loads config text; <paramref name="sourceName"/> names the file in errors.</summary>
    public static ConfigResult Parse(string text, string sourceName, string defaultNodeName)
    {
        var errors = new ErrorCollector(sourceName);
        return Load(TomlTreeBuilder.Parse(text, errors), errors, defaultNodeName);
    }

    private static ConfigResult Load(TomlTableNode? table, ErrorCollector errors, string defaultNodeName)
    {
        if (table is null)
        {
            return new ConfigResult(null, errors.ToSortedArray());
        }

        var config = Bind(new TableReader(table, "the file", errors, misplacedKeyHint: null), errors, defaultNodeName);
        return new ConfigResult(errors.Count == 0 ? config : null, errors.ToSortedArray());
    }

    private static K8sConfig Bind(TableReader root, ErrorCollector errors, string defaultNodeName)
    {
        var socket = "/run/vipd/vipd.sock";
        if (root.SubTable("vipd") is { } vipdTable)
        {
            var vipd = new TableReader(vipdTable, "[vipd]", errors, misplacedKeyHint: null);
            socket = vipd.String("socket") ?? socket;
            vipd.ReportUnknownKeys();
        }

        var nodeName = defaultNodeName;
        string? iface = null;
        if (root.SubTable("node") is { } nodeTable)
        {
            var node = new TableReader(nodeTable, "[node]", errors, misplacedKeyHint: null);
            nodeName = node.String("name") ?? nodeName;
            iface = node.String("interface");
            node.ReportUnknownKeys();
        }

        string? kubeconfig = null, context = null, lbClass = null;
        var debounce = TimeSpan.FromMilliseconds(100);
        var resync = TimeSpan.FromSeconds(10);
        if (root.SubTable("kubernetes") is { } kubeTable)
        {
            var kube = new TableReader(kubeTable, "[kubernetes]", errors, misplacedKeyHint: null);
            kubeconfig = kube.String("kubeconfig");
            context = kube.String("context");
            lbClass = kube.String("load_balancer_class");
            if (kube.Duration("debounce") is { } d)
            {
                if (d > TimeSpan.FromMilliseconds(200))
                {
                    kube.Error(kube.PositionOf("debounce"), "'debounce' in [kubernetes] must be at most 200ms");
                }

                debounce = d;
            }

            if (kube.Duration("resync") is { } r)
            {
                if (r < TimeSpan.FromSeconds(1))
                {
                    kube.Error(kube.PositionOf("resync"), "'resync' in [kubernetes] must be at least 1s");
                }

                resync = r;
            }

            kube.ReportUnknownKeys();
        }

        var lease = new LeaseConfig();
        if (root.SubTable("lease") is { } leaseTable)
        {
            var l = new TableReader(leaseTable, "[lease]", errors, misplacedKeyHint: null);
            lease = new LeaseConfig
            {
                Namespace = l.String("namespace") ?? lease.Namespace,
                Name = l.String("name") ?? lease.Name,
                Duration = l.Duration("duration") ?? lease.Duration,
                RenewDeadline = l.Duration("renew_deadline") ?? lease.RenewDeadline,
                RetryPeriod = l.Duration("retry_period") ?? lease.RetryPeriod,
            };
            if (!(lease.RetryPeriod > TimeSpan.Zero && lease.RetryPeriod < lease.RenewDeadline && lease.RenewDeadline < lease.Duration))
            {
                l.Error(l.Position, "[lease] needs 0 < retry_period < renew_deadline < duration");
            }

            l.ReportUnknownKeys();
        }

        var pools = new List<PoolConfig>();
        var poolNames = new HashSet<string>(StringComparer.Ordinal);
        var seen = new List<(IpRange Range, string Pool)>();
        foreach (var table in root.TableArray("pool"))
        {
            var p = new TableReader(table, "[[pool]]", errors, misplacedKeyHint: null);
            var name = p.String("name", required: true);
            if (name is not null && !NameRegex().IsMatch(name))
            {
                p.Error(p.PositionOf("name"), $"pool name '{name}' must be 1-63 of [a-z0-9-], starting and ending alphanumeric");
            }
            else if (name is not null && !poolNames.Add(name))
            {
                p.Error(p.PositionOf("name"), $"duplicate pool name '{name}'");
            }

            var ranges = new List<IpRange>();
            foreach (var (value, position) in p.Strings("addresses", required: true) ?? [])
            {
                if (!PoolParser.TryParse(value, out var range, out var error))
                {
                    p.Error(position, error);
                    continue;
                }

                foreach (var (other, otherPool) in seen)
                {
                    if (other.Family == range.Family && other.First <= range.Last && range.First <= other.Last)
                    {
                        p.Error(position, $"'{value}' overlaps {other} of pool '{otherPool}'");
                    }
                }

                seen.Add((range, name ?? "?"));
                ranges.Add(range);
            }

            if (p.Has("addresses") && ranges.Count == 0 && errors.Count == 0)
            {
                p.Error(p.PositionOf("addresses"), "'addresses' in [[pool]] must not be empty");
            }

            pools.Add(new PoolConfig
            {
                Name = name ?? "?",
                Ranges = ranges,
                AutoAssign = p.Boolean("auto_assign") ?? true,
                Interface = p.String("interface"),
                Ipv4PrefixLength = p.Integer("ipv4_prefix_length", 1, 32) ?? 32,
                Ipv6PrefixLength = p.Integer("ipv6_prefix_length", 1, 128) ?? 128,
            });
            p.ReportUnknownKeys();
        }

        if (pools.Count == 0)
        {
            root.Error(SourcePosition.Start, "no [[pool]]: give at least one pool of addresses");
        }

        root.ReportUnknownKeys();
        return new K8sConfig
        {
            VipdSocket = socket,
            NodeName = nodeName,
            Interface = iface,
            Kubeconfig = kubeconfig,
            Context = context,
            LoadBalancerClass = lbClass,
            Debounce = debounce,
            Resync = resync,
            Lease = lease,
            Pools = pools,
        };
    }

    /// <summary>True when some pool holds addresses of the family.</summary>
    public static bool HasFamily(this K8sConfig config, AddressFamily family) =>
        config.Pools.Any(p => p.Ranges.Any(r => r.Family == family));

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex NameRegex();
}
