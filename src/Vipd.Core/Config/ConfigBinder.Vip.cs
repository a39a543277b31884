using System.Net;
using Vipd.Core.Config.Toml;
using Vipd.Core.Reconcile;

namespace Vipd.Core.Config;

internal sealed partial class ConfigBinder
{
    private List<VipConfig> BindVips(IReadOnlyList<TomlTableNode> tables, NodeConfig? node, ClusterConfig? cluster, AnnounceConfig announce, BgpConfig? bgp)
    {
        var vips = new List<VipConfig>();
        var names = new Dictionary<string, SourcePosition>(StringComparer.Ordinal);
        var addresses = new Dictionary<IPAddress, (string Name, SourcePosition Position)>();
        foreach (var table in tables)
        {
            var reader = new TableReader(table, "[[vip]]", _errors);
            if (BindVip(reader, node, cluster, announce, bgp, names, addresses) is { } vip)
            {
                vips.Add(vip);
            }
        }

        return vips;
    }

    private VipConfig? BindVip(
        TableReader reader,
        NodeConfig? node,
        ClusterConfig? cluster,
        AnnounceConfig announceDefaults,
        BgpConfig? bgp,
        Dictionary<string, SourcePosition> names,
        Dictionary<IPAddress, (string Name, SourcePosition Position)> addresses)
    {
        var errorsBefore = _errors.Count;
        var name = ValidName(reader, "name", reader.String("name", required: true), "VIP name");
        if (name is not null)
        {
            if (names.TryGetValue(name, out var first))
            {
                reader.Error(reader.PositionOf("name"), $"duplicate VIP name '{name}'; first defined at {first.Line}:{first.Column}");
            }
            else
            {
                names.Add(name, reader.PositionOf("name"));
            }
        }

        IPAddress? address = null;
        var prefixLength = 0;
        if (reader.String("address", required: true) is { } cidr)
        {
            if (!AddressParser.TryParseCidr(cidr, out var parsed, out prefixLength, out var error))
            {
                reader.Error(reader.PositionOf("address"), error);
            }
            else if (AddressParser.IsUnusable(parsed) || IPAddress.IsLoopback(parsed))
            {
                reader.Error(reader.PositionOf("address"), $"'{cidr}' cannot be a VIP (unspecified, loopback, multicast or broadcast)");
            }
            else if (addresses.TryGetValue(parsed, out var other))
            {
                reader.Error(reader.PositionOf("address"), $"address {parsed} is already used by VIP '{other.Name}' at {other.Position.Line}:{other.Position.Column}");
            }
            else if (node is not null && parsed.Equals(node.Address))
            {
                reader.Error(reader.PositionOf("address"), $"address {parsed} is this node's own address ([node] address); a VIP must be an extra address");
            }
            else
            {
                address = parsed;
                addresses.Add(parsed, (name ?? "?", reader.PositionOf("address")));
            }
        }

        var mode = Mode(reader);
        var bgpKeys = BgpVipKeys(reader, mode ?? VipMode.L2, bgp, address, prefixLength);
        var iface = Interface(reader, "interface");
        if (mode == VipMode.Bgp)
        {
            // Not [node] interface: a BGP VIP lives on lo unless the operator names another local interface.
            iface ??= reader.Has("interface") ? null : ConfigDefaults.BgpInterface;
        }
        else if (iface is null && !reader.Has("interface") && node is not null && node.Interface is null)
        {
            reader.Error(reader.Position, $"VIP '{name}' has no interface; set interface here or in [node]");
        }

        iface ??= node?.Interface;
        var priority = reader.Integer("priority", ConfigDefaults.MinPriority, ConfigDefaults.MaxPriority) ?? ConfigDefaults.Priority;
        var preempt = reader.Boolean("preempt") ?? ConfigDefaults.Preempt;
        var preemptDelay = reader.Duration("preempt_delay") ?? ConfigDefaults.PreemptDelay;
        var allowed = NodeList(reader, cluster);
        var priorities = Priorities(reader, cluster, allowed);
        var bound = CheckList(reader);
        var announce = BindAnnounce(reader.SubTable("announce"), "[vip.announce]", announceDefaults);
        var notify = BindNotify(reader.SubTable("notify"));
        reader.ReportUnknownKeys();

        if (_errors.Count != errorsBefore || name is null || address is null || iface is null || announce is null || mode is null || bgpKeys is null)
        {
            return null;
        }

        return new VipConfig
        {
            Name = name,
            Address = address,
            PrefixLength = prefixLength,
            Interface = iface,
            Priority = priority,
            Priorities = new(priorities),
            Preempt = preempt,
            PreemptDelay = preemptDelay,
            Nodes = new(allowed),
            Checks = new(bound),
            Announce = announce,
            Notify = notify ?? NotifyConfig.None,
            Mode = mode.Value,
            Policy = bgpKeys.Value.Policy,
            Communities = new(bgpKeys.Value.Communities),
        };
    }

    private NotifyConfig? BindNotify(TomlTableNode? table)
    {
        if (table is null)
        {
            return NotifyConfig.None;
        }

        var reader = new TableReader(table, "[vip.notify]", _errors);
        var errorsBefore = _errors.Count;
        var notify = new NotifyConfig
        {
            Master = Script(reader, "master"),
            Backup = Script(reader, "backup"),
            Fault = Script(reader, "fault"),
            Stop = Script(reader, "stop"),
            Timeout = reader.Duration("timeout") ?? ConfigDefaults.NotifyTimeout,
        };
        if (notify.Timeout <= TimeSpan.Zero)
        {
            reader.Error(reader.PositionOf("timeout"), "timeout must be greater than zero");
        }

        reader.ReportUnknownKeys();
        return _errors.Count == errorsBefore ? notify : null;
    }

    /// <summary>A script argv: an absolute program path (no shell, no PATH) that exists, then its arguments.</summary>
    private EquatableArray<string> Script(TableReader reader, string key)
    {
        var argv = reader.Strings(key);
        if (argv is null)
        {
            return default;
        }

        if (argv.Count == 0)
        {
            reader.Error(reader.PositionOf(key), $"'{key}' must hold the program and its arguments, such as [\"/usr/local/bin/vip-event\", \"{key}\"]");
        }
        else if (!argv[0].Value.StartsWith('/'))
        {
            reader.Error(argv[0].Position, $"'{argv[0].Value}' must be an absolute path (scripts run without a shell or PATH)");
        }
        else
        {
            RequireFile(reader, key, argv[0].Value, "notify script");
        }

        return new(argv.Select(a => a.Value));
    }

    /// <summary>The node names of <c>nodes</c>, checked against <c>[cluster] node_names</c> when it is given.</summary>
    private static List<string> NodeList(TableReader reader, ClusterConfig? cluster)
    {
        var result = new List<string>();
        var list = reader.Strings("nodes");
        foreach (var (name, position) in list ?? [])
        {
            if (KnownNode(reader, cluster, name, position, "nodes"))
            {
                if (result.Contains(name))
                {
                    reader.Error(position, $"duplicate node '{name}' in nodes");
                }
                else
                {
                    result.Add(name);
                }
            }
        }

        if (list is { Count: 0 })
        {
            reader.Error(reader.PositionOf("nodes"), "'nodes' is empty, so no node may hold the VIP; leave it out to allow every node");
        }

        return result;
    }

    private static List<NodePriority> Priorities(TableReader reader, ClusterConfig? cluster, List<string> allowed)
    {
        var result = new List<NodePriority>();
        var table = reader.SubTable("priorities");
        if (table is null)
        {
            return result;
        }

        foreach (var entry in table.Entries)
        {
            if (!KnownNode(reader, cluster, entry.Key, entry.KeyPosition, "priorities"))
            {
                continue;
            }

            if (allowed.Count > 0 && !allowed.Contains(entry.Key))
            {
                reader.Error(entry.KeyPosition, $"priorities names node '{entry.Key}', which this VIP's nodes do not allow");
                continue;
            }

            if (entry.Value is not TomlScalarNode { Kind: TomlScalarKind.Integer, Value: long value })
            {
                reader.Error(entry.Value.Position, $"priority of node '{entry.Key}' must be an integer, found {entry.Value.Description}");
            }
            else if (value is < ConfigDefaults.MinPriority or > ConfigDefaults.MaxPriority)
            {
                reader.Error(entry.Value.Position, $"priority of node '{entry.Key}' must be between {ConfigDefaults.MinPriority} and {ConfigDefaults.MaxPriority}, found {value}");
            }
            else
            {
                result.Add(new NodePriority(entry.Key, (int)value));
            }
        }

        result.Sort((a, b) => string.CompareOrdinal(a.Node, b.Node));
        return result;
    }

    private static bool KnownNode(TableReader reader, ClusterConfig? cluster, string name, SourcePosition position, string key)
    {
        if (!Names.IsValidName(name))
        {
            reader.Error(position, $"invalid node name '{name}' in {key}; {Names.NameRule}");
            return false;
        }

        if (cluster is { NodeNames.IsEmpty: false } && !cluster.NodeNames.Contains(name))
        {
            reader.Error(position, $"unknown node '{name}' in {key}; [cluster] node_names has {string.Join(", ", cluster.NodeNames)}{KeySuggester.Hint(name, cluster.NodeNames)}");
            return false;
        }

        return true;
    }

    private List<string> CheckList(TableReader reader)
    {
        var result = new List<string>();
        foreach (var (name, position) in reader.Strings("checks") ?? [])
        {
            if (!_checkNames.ContainsKey(name))
            {
                var known = _checkNames.Count == 0 ? "no [[check]] is defined" : $"defined checks: {string.Join(", ", _checkNames.Keys)}";
                reader.Error(position, $"unknown check '{name}'; {known}{KeySuggester.Hint(name, _checkNames.Keys)}");
            }
            else if (result.Contains(name))
            {
                reader.Error(position, $"duplicate check '{name}' in checks");
            }
            else
            {
                result.Add(name);
            }
        }

        return result;
    }

    /// <summary><c>[announce]</c>: the defaults of every VIP's <c>[vip.announce]</c>, checked the same way.</summary>
    private AnnounceConfig? BindGlobalAnnounce(TableReader? reader)
        => reader is null ? null : BindAnnounce(reader.Table, "[announce]", AnnounceConfig.Default);

    private AnnounceConfig? BindAnnounce(TomlTableNode? table, string context, AnnounceConfig defaults)
    {
        if (table is null)
        {
            return defaults;
        }

        // Only the values written in this table are checked here: inherited ones were checked in [announce].
        var reader = new TableReader(table, context, _errors);
        var count = reader.Integer("count", 1, 100);
        var interval = reader.Duration("interval");
        var second = reader.Duration("second_burst_after");
        var refresh = reader.Duration("refresh");
        var rate = reader.Integer("rate", 0, AnnouncementPacing.MaxRate);
        var burst = reader.Integer("burst", 2, AnnouncementPacing.MaxRate);
        reader.ReportUnknownKeys();
        if (refresh > TimeSpan.Zero && refresh < TimeSpan.FromSeconds(1))
        {
            reader.Error(reader.PositionOf("refresh"), $"refresh ({Duration.Format(refresh.Value)}) must be 0s (off) or at least 1s");
        }

        if (interval > TimeSpan.FromSeconds(10))
        {
            reader.Error(reader.PositionOf("interval"), $"interval ({Duration.Format(interval.Value)}) must be at most 10s, or the burst outlasts a takeover");
        }

        if (rate == 1)
        {
            reader.Error(reader.PositionOf("rate"), "rate must be 0 (no limit) or at least 2 packets/s: one IPv4 announcement is an ARP request and a reply");
        }

        return new AnnounceConfig
        {
            Count = count ?? defaults.Count,
            Interval = interval ?? defaults.Interval,
            SecondBurstAfter = second ?? defaults.SecondBurstAfter,
            Refresh = refresh ?? defaults.Refresh,
            Rate = rate ?? defaults.Rate,
            Burst = burst ?? defaults.Burst,
        };
    }
}
