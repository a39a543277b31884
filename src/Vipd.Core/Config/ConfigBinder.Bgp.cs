using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Vipd.Core.Config.Toml;

namespace Vipd.Core.Config;

internal sealed partial class ConfigBinder
{
    /// <summary>The largest 4-byte AS number.</summary>
    private const long MaxAsn = uint.MaxValue;

    /// <summary>AS_TRANS (RFC 6793): a placeholder on the wire, never a real AS.</summary>
    private const long AsTrans = 23456;

    /// <summary>The well-known communities FRR accepts by name.</summary>
    private static readonly string[] WellKnownCommunities = ["no-export", "no-advertise", "local-AS", "no-peer", "blackhole", "graceful-shutdown", "accept-own"];

    /// <summary>True when the file has a <c>[bgp]</c> table (even one with errors): BGP VIPs are then not also told to add one.</summary>
    private bool _bgpDeclared;

    private BgpConfig? BindBgp(TableReader? reader)
    {
        _bgpDeclared = true;
        if (reader is null)
        {
            return null;
        }

        var errorsBefore = _errors.Count;
        var asn = Asn(reader, "asn", required: true);
        IPAddress? routerId = null;
        if (reader.String("router_id", required: true) is { } idText)
        {
            if (!IPAddress.TryParse(idText, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetwork || idText.Contains('/', StringComparison.Ordinal))
            {
                reader.Error(reader.PositionOf("router_id"), $"invalid router_id '{idText}' in [bgp]; a BGP router id is written as an IPv4 address, such as \"192.0.2.11\"");
            }
            else if (parsed.Equals(IPAddress.Any))
            {
                reader.Error(reader.PositionOf("router_id"), "router_id in [bgp] must not be 0.0.0.0");
            }
            else
            {
                routerId = parsed;
            }
        }

        var pathspace = reader.String("pathspace");
        if (pathspace is not null && !Names.IsValidName(pathspace))
        {
            reader.Error(reader.PositionOf("pathspace"), $"invalid pathspace '{pathspace}' in [bgp]; {Names.NameRule}");
        }

        var vtysh = reader.String("vtysh") ?? ConfigDefaults.Vtysh;
        if (!vtysh.StartsWith('/'))
        {
            reader.Error(reader.PositionOf("vtysh"), $"vtysh '{vtysh}' in [bgp] must be an absolute path");
        }

        var sync = reader.Duration("sync_interval") ?? ConfigDefaults.BgpSyncInterval;
        if (sync < TimeSpan.FromMilliseconds(100) || sync > TimeSpan.FromHours(1))
        {
            reader.Error(reader.PositionOf("sync_interval"), $"sync_interval ({Duration.Format(sync)}) in [bgp] must be between 100ms and 1h");
        }

        var peers = new List<BgpPeerConfig>();
        var seen = new Dictionary<IPAddress, SourcePosition>();
        var peerTables = reader.TableArray("peer");
        foreach (var table in peerTables)
        {
            if (BindBgpPeer(new TableReader(table, "[[bgp.peer]]", _errors), seen) is { } peer)
            {
                peers.Add(peer);
            }
        }

        if (peerTables.Count == 0)
        {
            reader.Error(reader.Position, "[bgp] has no [[bgp.peer]]; add at least one neighbour (address and asn) to advertise VIPs to");
        }

        reader.ReportUnknownKeys();
        if (_errors.Count != errorsBefore || asn is null || routerId is null)
        {
            return null;
        }

        return new BgpConfig
        {
            Asn = asn.Value,
            RouterId = routerId,
            Pathspace = pathspace,
            Vtysh = vtysh,
            SyncInterval = sync,
            Peers = new(peers),
        };
    }

    private BgpPeerConfig? BindBgpPeer(TableReader reader, Dictionary<IPAddress, SourcePosition> seen)
    {
        var errorsBefore = _errors.Count;
        IPAddress? address = null;
        if (reader.String("address", required: true) is { } text)
        {
            if (!AddressParser.TryParseAddress(text, out var parsed) || AddressParser.IsUnusable(parsed) || IPAddress.IsLoopback(parsed))
            {
                reader.Error(reader.PositionOf("address"), $"invalid peer address '{text}' in [[bgp.peer]]; expected the neighbour's unicast IPv4 or IPv6 address without a prefix");
            }
            else if (seen.TryGetValue(parsed, out var first))
            {
                reader.Error(reader.PositionOf("address"), $"duplicate peer address {parsed}; first defined at {first.Line}:{first.Column}");
            }
            else
            {
                address = parsed;
                seen.Add(parsed, reader.PositionOf("address"));
            }
        }

        var asn = Asn(reader, "asn", required: true);
        var password = reader.String("password");
        if (password is not null && (password.Length > 80 || password.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
        {
            reader.Error(reader.PositionOf("password"), "password in [[bgp.peer]] must be at most 80 characters without spaces or control characters (TCP MD5 keys are at most 80 bytes)");
        }

        var bfd = reader.Boolean("bfd") ?? ConfigDefaults.Bfd;
        var bfdInterval = reader.Duration("bfd_interval") ?? ConfigDefaults.BfdInterval;
        if (bfdInterval < TimeSpan.FromMilliseconds(10) || bfdInterval > TimeSpan.FromSeconds(60) || bfdInterval.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            reader.Error(reader.PositionOf("bfd_interval"), $"bfd_interval ({Duration.Format(bfdInterval)}) must be whole milliseconds from 10ms to 60s");
        }

        var multiplier = reader.Integer("bfd_multiplier", 2, 255) ?? ConfigDefaults.BfdMultiplier;
        var keepalive = reader.Duration("keepalive") ?? ConfigDefaults.BgpKeepalive;
        var hold = reader.Duration("hold") ?? ConfigDefaults.BgpHold;
        var timersOk = WholeSeconds(reader, "keepalive", keepalive, 0, 65535) & WholeSeconds(reader, "hold", hold, 0, 65535);
        if (timersOk && hold != TimeSpan.Zero && hold < TimeSpan.FromSeconds(3))
        {
            reader.Error(reader.PositionOf("hold"), $"hold ({Duration.Format(hold)}) must be 0s (no hold timer) or at least 3s (RFC 4271)");
        }
        else if (timersOk && hold != TimeSpan.Zero && keepalive > hold)
        {
            reader.Error(reader.PositionOf("keepalive"), $"keepalive ({Duration.Format(keepalive)}) must not exceed hold ({Duration.Format(hold)})");
        }

        if (!bfd && (reader.Has("bfd_interval") || reader.Has("bfd_multiplier")))
        {
            var key = reader.Has("bfd_interval") ? "bfd_interval" : "bfd_multiplier";
            reader.Error(reader.PositionOf(key), $"{key} has no effect with bfd = false");
        }

        reader.ReportUnknownKeys();
        if (_errors.Count != errorsBefore || address is null || asn is null)
        {
            return null;
        }

        return new BgpPeerConfig
        {
            Address = address,
            Asn = asn.Value,
            Password = password,
            Bfd = bfd,
            BfdInterval = bfdInterval,
            BfdMultiplier = multiplier,
            Keepalive = keepalive,
            Hold = hold,
        };
    }

    private static bool WholeSeconds(TableReader reader, string key, TimeSpan value, int min, int max)
    {
        if (value.Ticks % TimeSpan.TicksPerSecond != 0 || value < TimeSpan.FromSeconds(min) || value > TimeSpan.FromSeconds(max))
        {
            reader.Error(reader.PositionOf(key), $"{key} ({Duration.Format(value)}) in [[bgp.peer]] must be whole seconds from {min}s to {max}s");
            return false;
        }

        return true;
    }

    /// <summary>An AS number (1 to 4294967295, not AS_TRANS); null when absent or invalid (the error is reported).</summary>
    private static long? Asn(TableReader reader, string key, bool required)
    {
        var node = reader.Raw(key, required);
        switch (node)
        {
            case null:
                return null;
            case TomlScalarNode { Kind: TomlScalarKind.Integer, Value: long value } when value is >= 1 and <= MaxAsn && value != AsTrans:
                return value;
            case TomlScalarNode { Kind: TomlScalarKind.Integer, Value: long value }:
                reader.Error(node.Position, value == AsTrans
                    ? $"'{key}' in {reader.Context} must not be 23456 (AS_TRANS, a placeholder, never a real AS)"
                    : $"'{key}' in {reader.Context} must be between 1 and {MaxAsn}, found {value}; private ASNs are 64512 to 65534");
                return null;
            default:
                reader.Error(node.Position, $"'{key}' in {reader.Context} must be an integer AS number, found {node.Description}");
                return null;
        }
    }

    /// <summary>A VIP's <c>mode</c>; null when invalid (reported).</summary>
    private static VipMode? Mode(TableReader reader)
    {
        return reader.String("mode") switch
        {
            null when reader.Has("mode") => null,
            null => VipMode.L2,
            "l2" => VipMode.L2,
            "bgp" => VipMode.Bgp,
            var other => Invalid(other),
        };

        VipMode? Invalid(string value)
        {
            reader.Error(reader.PositionOf("mode"), $"invalid mode '{value}' in [[vip]]; expected \"l2\" or \"bgp\"");
            return null;
        }
    }

    /// <summary>The BGP-only keys of a VIP (policy, communities), checked against its mode; null when invalid (reported).</summary>
    private (BgpPolicy Policy, List<string> Communities)? BgpVipKeys(TableReader reader, VipMode mode, BgpConfig? bgp, IPAddress? address, int prefixLength)
    {
        var errorsBefore = _errors.Count;
        var policy = ConfigDefaults.Policy;
        switch (reader.String("policy"))
        {
            case null:
                break;
            case "active-standby":
                policy = BgpPolicy.ActiveStandby;
                break;
            case "active-active":
                policy = BgpPolicy.ActiveActive;
                break;
            case var other:
                reader.Error(reader.PositionOf("policy"), $"invalid policy '{other}' in [[vip]]; expected \"active-standby\" or \"active-active\"");
                break;
        }

        var communities = new List<string>();
        foreach (var (value, position) in reader.Strings("communities") ?? [])
        {
            if (!IsCommunity(value))
            {
                reader.Error(position, $"invalid community '{value}'; expected \"ASN:VALUE\" (each 0 to 65535, such as \"64512:100\") or one of {string.Join(", ", WellKnownCommunities)}");
            }
            else if (communities.Contains(value))
            {
                reader.Error(position, $"duplicate community '{value}'");
            }
            else
            {
                communities.Add(value);
            }
        }

        if (mode == VipMode.L2)
        {
            foreach (var key in new[] { "policy", "communities" })
            {
                if (reader.Has(key))
                {
                    reader.Error(reader.PositionOf(key), $"'{key}' applies only to mode = \"bgp\"; this VIP is announced on Layer 2");
                }
            }
        }
        else
        {
            if (bgp is null && !_bgpDeclared)
            {
                reader.Error(reader.PositionOf("mode"), "mode = \"bgp\" needs a [bgp] table (asn, router_id and at least one [[bgp.peer]])");
            }

            if (address is not null && prefixLength != (address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128))
            {
                var host = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
                reader.Error(reader.PositionOf("address"), $"a BGP VIP is advertised as a host route: write \"{address}/{host}\", not /{prefixLength}");
            }

            if (reader.Has("announce"))
            {
                reader.Error(reader.PositionOf("announce"), "[vip.announce] has no effect with mode = \"bgp\": the VIP is advertised over BGP, not announced with ARP/NA");
            }
        }

        return _errors.Count == errorsBefore ? (policy, communities) : null;
    }

    private static bool IsCommunity(string value)
    {
        if (WellKnownCommunities.Contains(value, StringComparer.Ordinal))
        {
            return true;
        }

        var parts = value.Split(':');
        return parts.Length == 2 && parts.All(p => p.Length is > 0 and <= 5 && p.All(char.IsAsciiDigit)
            && int.Parse(p, CultureInfo.InvariantCulture) <= ushort.MaxValue);
    }
}
