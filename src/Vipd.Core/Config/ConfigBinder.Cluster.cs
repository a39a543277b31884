using System.Net;

namespace Vipd.Core.Config;

internal sealed partial class ConfigBinder
{
    private ClusterConfig? BindCluster(TableReader? reader, NodeConfig? node)
    {
        if (reader is null)
        {
            return null;
        }

        var ok = true;
        var peers = new List<IPEndPoint>();
        foreach (var (text, position) in reader.Strings("peers") ?? [])
        {
            if (!AddressParser.TryParseEndPoint(text, node?.Port ?? ConfigDefaults.Port, out var peer))
            {
                reader.Error(position, $"invalid peer '{text}'; expected \"ip\" or \"ip:port\" (IPv6 with a port: \"[2001:db8::12]:7450\")");
                ok = false;
            }
            else if (peers.Contains(peer))
            {
                reader.Error(position, $"duplicate peer '{text}'");
                ok = false;
            }
            else if (node is not null && peer.AddressFamily != node.Address.AddressFamily)
            {
                reader.Error(position, $"peer '{text}' is {Family(peer.Address)} but [node] address {node.Address} is {Family(node.Address)}; gossip uses one address family");
                ok = false;
            }
            else if (node is not null && peer.Equals(node.EndPoint))
            {
                reader.Error(position, $"peer '{text}' is this node's own address; list only the other nodes");
                ok = false;
            }
            else
            {
                peers.Add(peer);
            }
        }

        var keyFile = reader.String("key_file", required: true);
        if (keyFile is not null)
        {
            keyFile = ResolvePath(keyFile);
            RequireFile(reader, "key_file", keyFile, "key file");
        }

        var quorum = reader.Boolean("quorum") ?? ConfigDefaults.Quorum;
        var nodeNames = BindNodeNames(reader, node, ref ok);
        var expected = reader.Integer("expected_nodes", 1, 1000);
        if (expected is { } e && e < peers.Count + 1)
        {
            reader.Error(reader.PositionOf("expected_nodes"), $"expected_nodes ({e}) is less than the nodes configured ({peers.Count + 1}: this node and {peers.Count} peers)");
            ok = false;
        }

        if (nodeNames.Count > 0 && nodeNames.Count < peers.Count + 1)
        {
            reader.Error(reader.PositionOf("node_names"), $"node_names lists {nodeNames.Count} nodes, but {peers.Count + 1} are configured (this node and {peers.Count} peers)");
            ok = false;
        }

        var profile = Profile(reader);
        var timings = ConfigDefaults.Timings(profile);
        var errorsBefore = _errors.Count;
        var probeInterval = Positive(reader, "probe_interval") ?? timings.ProbeInterval;
        var probeTimeout = Positive(reader, "probe_timeout") ?? timings.ProbeTimeout;
        var suspicionMin = Positive(reader, "suspicion_min") ?? timings.SuspicionMin;
        var suspicionMax = Positive(reader, "suspicion_max") ?? timings.SuspicionMax;
        var gossipInterval = Positive(reader, "gossip_interval") ?? timings.GossipInterval;
        var pushPull = Positive(reader, "push_pull_interval") ?? timings.PushPullInterval;
        var indirectTimeout = Positive(reader, "indirect_probe_timeout") ?? timings.IndirectProbeTimeout;
        var reconnect = Positive(reader, "reconnect_interval") ?? timings.ReconnectInterval;
        var indirect = reader.Integer("indirect_checks", 0, 16) ?? ConfigDefaults.IndirectChecks;
        var fanout = reader.Integer("gossip_fanout", 1, 16) ?? ConfigDefaults.GossipFanout;
        var timingsValid = _errors.Count == errorsBefore;
        reader.ReportUnknownKeys();

        if (timingsValid && probeTimeout >= probeInterval)
        {
            reader.Error(Blame(reader, "probe_timeout", "probe_interval"),
                $"probe_timeout ({Duration.Format(probeTimeout)}) must be shorter than probe_interval ({Duration.Format(probeInterval)})");
            ok = false;
        }

        if (timingsValid && suspicionMin > suspicionMax)
        {
            reader.Error(Blame(reader, "suspicion_min", "suspicion_max"),
                $"suspicion_min ({Duration.Format(suspicionMin)}) must not exceed suspicion_max ({Duration.Format(suspicionMax)})");
            ok = false;
        }

        if (timingsValid && suspicionMin < probeInterval)
        {
            reader.Error(Blame(reader, "suspicion_min", "probe_interval"),
                $"suspicion_min ({Duration.Format(suspicionMin)}) must be at least probe_interval ({Duration.Format(probeInterval)}), or a live node is declared dead before it can be probed again");
            ok = false;
        }

        if (!ok || keyFile is null)
        {
            return null;
        }

        return new ClusterConfig
        {
            Peers = new(peers),
            KeyFile = keyFile,
            Quorum = quorum,
            ExpectedNodes = expected ?? (nodeNames.Count > 0 ? nodeNames.Count : peers.Count + 1),
            NodeNames = new(nodeNames),
            Profile = profile,
            ProbeInterval = probeInterval,
            ProbeTimeout = probeTimeout,
            IndirectChecks = indirect,
            SuspicionMin = suspicionMin,
            SuspicionMax = suspicionMax,
            GossipInterval = gossipInterval,
            GossipFanout = fanout,
            PushPullInterval = pushPull,
            IndirectProbeTimeout = indirectTimeout,
            ReconnectInterval = reconnect,
        };
    }

    private static List<string> BindNodeNames(TableReader reader, NodeConfig? node, ref bool ok)
    {
        var names = new List<string>();
        var list = reader.Strings("node_names");
        foreach (var (name, position) in list ?? [])
        {
            if (!Names.IsValidName(name))
            {
                reader.Error(position, $"invalid node name '{name}'; {Names.NameRule}");
                ok = false;
            }
            else if (names.Contains(name))
            {
                reader.Error(position, $"duplicate node name '{name}'");
                ok = false;
            }
            else
            {
                names.Add(name);
            }
        }

        if (list is not null && node is not null && !names.Contains(node.Name) && ok)
        {
            reader.Error(reader.PositionOf("node_names"), $"node_names does not list this node's name '{node.Name}'");
            ok = false;
        }

        return names;
    }

    private static string Family(IPAddress address) => address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";

    private static MembershipProfile Profile(TableReader reader)
    {
        switch (reader.String("profile"))
        {
            case null or "default":
                return MembershipProfile.Default;
            case "fast":
                return MembershipProfile.Fast;
            case var other:
                reader.Error(reader.PositionOf("profile"), $"unknown profile '{other}'; use \"default\" or \"fast\"");
                return ConfigDefaults.Profile;
        }
    }

    /// <summary>A duration that must be greater than zero.</summary>
    private static TimeSpan? Positive(TableReader reader, string key)
    {
        var value = reader.Duration(key);
        if (value is { } v && v <= TimeSpan.Zero)
        {
            reader.Error(reader.PositionOf(key), $"'{key}' in {reader.Context} must be greater than zero");
            return null;
        }

        return value;
    }

    /// <summary>Where to point an error about two settings: the first one written in the file, else the second, else the table.</summary>
    private static Toml.SourcePosition Blame(TableReader reader, string first, string second) =>
        reader.Has(first) ? reader.PositionOf(first) : reader.PositionOf(second);
}
