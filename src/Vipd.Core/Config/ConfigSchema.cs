namespace Vipd.Core.Config;

/// <summary>
/// Every key of every table, in one list: the man page documents exactly these (a test compares them) and an
/// unknown key that belongs to another table is pointed there.
/// </summary>
internal static class ConfigSchema
{
    public static readonly (string Table, string[] Keys)[] Tables =
    [
        ("[node]", ["name", "address", "port", "interface", "state_dir"]),
        ("[cluster]",
        [
            "peers", "key_file", "quorum", "expected_nodes", "node_names", "profile", "probe_interval", "probe_timeout",
            "indirect_checks", "suspicion_min", "suspicion_max", "gossip_interval", "gossip_fanout", "push_pull_interval",
            "indirect_probe_timeout", "reconnect_interval",
        ]),
        ("[api]", ["socket", "tcp", "tls_cert", "tls_key", "tls_client_ca", "mutating_group", "vip_prefixes", "vip_interfaces"]),
        ("[metrics]", ["address"]),
        ("[logging]", ["level", "format"]),
        ("[announce]", ["count", "interval", "second_burst_after", "refresh", "rate", "burst"]),
        ("[[vip]]", ["name", "address", "interface", "priority", "priorities", "preempt", "preempt_delay", "nodes", "checks", "announce", "notify", "mode", "policy", "communities"]),
        ("[vip.announce]", ["count", "interval", "second_burst_after", "refresh", "rate", "burst"]),
        ("[vip.notify]", ["master", "backup", "fault", "stop", "timeout"]),
        ("[bgp]", ["asn", "router_id", "pathspace", "vtysh", "sync_interval", "peer"]),
        ("[[bgp.peer]]", ["address", "asn", "password", "bfd", "bfd_interval", "bfd_multiplier", "keepalive", "hold"]),
        ("[[check]]",
        [
            "name", "type", "interval", "timeout", "rise", "fall", "weight", "command", "user", "address", "url",
            "expect_status", "insecure_skip_verify", "interface", "path",
        ]),
    ];

    /// <summary>"; it belongs in [[vip]]" when <paramref name="key"/> is a key of other tables only, else empty.</summary>
    public static string BelongsHint(string key, string table)
    {
        if (Tables.Any(t => t.Table == $"[{key}]" || t.Table == $"[[{key}]]"))
        {
            var header = Tables.First(t => t.Table == $"[{key}]" || t.Table == $"[[{key}]]").Table;
            return $"; a key after a table header belongs to that table: write {header} as a table of its own";
        }

        var owners = Tables.Where(t => t.Table != table && t.Keys.Contains(key)).Select(t => t.Table).ToArray();
        return owners.Length == 0 ? string.Empty : $"; it belongs in {string.Join(" or ", owners)}";
    }
}
