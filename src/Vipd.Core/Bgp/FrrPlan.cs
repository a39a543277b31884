using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Vipd.Core.Config;
using static Vipd.Core.Bgp.FrrConfigTree;

namespace Vipd.Core.Bgp;

/// <summary>
/// What vipd writes into FRR, and how to get there from FRR's running config, touching only what vipd owns: the
/// <c>router bgp</c> of <c>[bgp] asn</c> (its router id, the neighbours of <c>[[bgp.peer]]</c>, each marked
/// <c>description vipd</c>, and <c>redistribute connected route-map VIPD-EXPORT</c>), prefix-lists and route-maps
/// named <c>VIPD-*</c>, and BFD profiles named <c>VIPD-*</c>. Every other line of FRR's configuration is left alone.
/// Pure: the host runs the commands with vtysh.
/// </summary>
public static class FrrPlan
{
    /// <summary>The prefix of every FRR object name vipd owns.</summary>
    public const string OwnedPrefix = "VIPD-";

    /// <summary>The route-map that selects the BGP VIPs among the connected routes.</summary>
    public const string RouteMap = "VIPD-EXPORT";

    /// <summary>The description that marks a neighbour as vipd's.</summary>
    public const string Description = "vipd";

    /// <summary>The configuration vipd wants in FRR for <paramref name="bgp"/> and its BGP VIPs.</summary>
    public static FrrConfigTree Desired(BgpConfig bgp, IEnumerable<VipConfig> vips)
    {
        ArgumentNullException.ThrowIfNull(bgp);
        ArgumentNullException.ThrowIfNull(vips);
        var lines = new List<Line>();

        // BFD profiles first: the neighbours refer to them.
        var profiles = bgp.Peers.Where(p => p.Bfd).Select(p => (p.BfdInterval, p.BfdMultiplier)).Distinct().OrderBy(p => p.BfdInterval).ThenBy(p => p.BfdMultiplier).ToList();
        if (profiles.Count > 0)
        {
            lines.Add(new Line("bfd", [.. profiles.Select(p => new Line($"profile {ProfileName(p.BfdInterval, p.BfdMultiplier)}", [
                Plain(Invariant($"transmit-interval {(long)p.BfdInterval.TotalMilliseconds}")),
                Plain(Invariant($"receive-interval {(long)p.BfdInterval.TotalMilliseconds}")),
                Plain(Invariant($"detect-multiplier {p.BfdMultiplier}")),
            ]))]));
        }

        // One prefix-list per address family and set of communities, one route-map entry each.
        var groups = vips.Where(v => v.Mode == VipMode.Bgp)
            .GroupBy(v => (V6: v.IsIPv6, Communities: string.Join(' ', v.Communities)))
            .Select(g => (g.Key.V6, g.Key.Communities, Name: PrefixListName(g.Key.V6, g.Key.Communities), Vips: g.OrderBy(v => v.Address.ToString(), StringComparer.Ordinal).ToList()))
            .OrderBy(g => g.Name, StringComparer.Ordinal)
            .ToList();
        foreach (var group in groups)
        {
            foreach (var vip in group.Vips)
            {
                lines.Add(Plain($"{(group.V6 ? "ipv6" : "ip")} prefix-list {group.Name} permit {vip.Address}/{vip.PrefixLength}"));
            }
        }

        for (var i = 0; i < groups.Count; i++)
        {
            var group = groups[i];
            var entry = new List<Line> { Plain($"match {(group.V6 ? "ipv6" : "ip")} address prefix-list {group.Name}") };
            if (group.Communities.Length > 0)
            {
                entry.Add(Plain($"set community {group.Communities}"));
            }

            lines.Add(new Line(Invariant($"route-map {RouteMap} permit {(i + 1) * 10}"), entry));
        }

        var router = new List<Line>
        {
            Plain($"bgp router-id {bgp.RouterId}"),
            Plain("no bgp ebgp-requires-policy"),
        };
        foreach (var peer in bgp.Peers)
        {
            router.AddRange(NeighborLines(peer).Select(Plain));
        }

        foreach (var (family, v6) in new[] { ("ipv4", false), ("ipv6", true) })
        {
            var af = new List<Line> { Plain($"redistribute connected route-map {RouteMap}") };
            af.AddRange(bgp.Peers.Where(p => IsV6(p.Address) == v6).Select(p => Plain($"neighbor {p.Address} activate")));
            router.Add(new Line($"address-family {family} unicast", af));
        }

        lines.Add(new Line(Invariant($"router bgp {bgp.Asn}"), router));
        return FrrConfigTree.Of(lines);
    }

    /// <summary>
    /// The vtysh commands (one <c>-c</c> each, starting with <c>configure terminal</c>) that bring FRR's
    /// <paramref name="running"/> config to <paramref name="desired"/>: every desired line (FRR ignores a line it
    /// already has), then the removal of owned lines that are no longer desired.
    /// </summary>
    public static IReadOnlyList<string> Commands(FrrConfigTree desired, FrrConfigTree running, BgpConfig bgp)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(running);
        ArgumentNullException.ThrowIfNull(bgp);
        var commands = new List<string> { "configure terminal" };
        var routerHeader = Invariant($"router bgp {bgp.Asn}");
        foreach (var line in desired.Lines)
        {
            Emit(commands, line);
            if (line.Text == routerHeader)
            {
                // Inside router bgp: owned neighbours' stale lines and neighbours no longer configured.
                var removals = RouterRemovals(line, running.Find(routerHeader), bgp);
                if (removals.Count > 0)
                {
                    commands.Add(routerHeader);
                    commands.AddRange(removals);
                    commands.Add("exit");
                }
            }
        }

        // Stale top-level objects last: nothing desired refers to them any more.
        foreach (var line in running.Lines)
        {
            if (IsOwnedPrefixListEntry(line.Text) && !desired.Lines.Any(d => SamePrefixListEntry(d.Text, line.Text)))
            {
                commands.Add($"no {line.Text}");
            }
            else if (line.Text.StartsWith($"route-map {OwnedPrefix}", StringComparison.Ordinal))
            {
                if (desired.Find(line.Text) is not { } wanted)
                {
                    commands.Add($"no {line.Text}");
                }
                else if (line.Children.Where(c => wanted.Find(c.Text) is null).Select(c => $"no {c.Text}").ToList() is { Count: > 0 } stale)
                {
                    commands.Add(line.Text);
                    commands.AddRange(stale);
                    commands.Add("exit");
                }
            }
            else if (line.Text == "bfd")
            {
                var wanted = desired.Find("bfd");
                var stale = line.Children.Where(c => c.Text.StartsWith($"profile {OwnedPrefix}", StringComparison.Ordinal) && wanted?.Find(c.Text) is null).ToList();
                if (stale.Count > 0)
                {
                    commands.Add("bfd");
                    commands.AddRange(stale.Select(c => $"no {c.Text}"));
                    commands.Add("exit");
                }
            }
        }

        commands.Add("end");
        return commands;
    }

    /// <summary>
    /// A digest of the owned part of FRR's running config: when it has not moved since vipd last applied, FRR still
    /// holds what vipd gave it; when it has (FRR restarted, an operator edited vipd's objects), vipd applies again.
    /// </summary>
    public static string OwnedDigest(FrrConfigTree running, BgpConfig bgp)
    {
        ArgumentNullException.ThrowIfNull(running);
        ArgumentNullException.ThrowIfNull(bgp);
        var text = new StringBuilder();
        var routerHeader = Invariant($"router bgp {bgp.Asn}");
        foreach (var line in running.Lines)
        {
            if (IsOwnedPrefixListEntry(line.Text) || line.Text.StartsWith($"route-map {OwnedPrefix}", StringComparison.Ordinal) || line.Text == routerHeader)
            {
                Append(text, line, 0);
            }
            else if (line.Text == "bfd")
            {
                foreach (var profile in line.Children.Where(c => c.Text.StartsWith($"profile {OwnedPrefix}", StringComparison.Ordinal)))
                {
                    Append(text, profile, 1);
                }
            }
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>The router bgp of another AS that FRR already runs (FRR runs one per VRF), or null.</summary>
    public static string? OtherRouter(FrrConfigTree running, BgpConfig bgp)
    {
        ArgumentNullException.ThrowIfNull(running);
        ArgumentNullException.ThrowIfNull(bgp);
        return running.Lines.Select(l => l.Text)
            .FirstOrDefault(t => t.StartsWith("router bgp ", StringComparison.Ordinal) && !t.Contains(" vrf ", StringComparison.Ordinal)
                && t != Invariant($"router bgp {bgp.Asn}"));
    }

    /// <summary>"VIPD-50X3": the BFD profile for an interval and multiplier.</summary>
    public static string ProfileName(TimeSpan interval, int multiplier) => Invariant($"{OwnedPrefix}{(long)interval.TotalMilliseconds}X{multiplier}");

    private static List<string> NeighborLines(BgpPeerConfig peer)
    {
        var a = peer.Address;
        var lines = new List<string>
        {
            Invariant($"neighbor {a} remote-as {peer.Asn}"),
            $"neighbor {a} description {Description}",
        };
        if (peer.Password is { } password)
        {
            lines.Add($"neighbor {a} password {password}");
        }

        if (peer.Bfd)
        {
            lines.Add($"neighbor {a} bfd profile {ProfileName(peer.BfdInterval, peer.BfdMultiplier)}");
        }

        lines.Add(Invariant($"neighbor {a} timers {(long)peer.Keepalive.TotalSeconds} {(long)peer.Hold.TotalSeconds}"));
        return lines;
    }

    private static List<string> RouterRemovals(Line desired, Line? running, BgpConfig bgp)
    {
        var removals = new List<string>();
        if (running is null)
        {
            return removals;
        }

        var configured = bgp.Peers.Select(p => p.Address.ToString()).ToHashSet(StringComparer.Ordinal);
        var owned = running.Children.Select(c => c.Text.Split(' '))
            .Where(w => w.Length == 4 && w[0] == "neighbor" && w[2] == "description" && w[3] == Description)
            .Select(w => w[1]).ToHashSet(StringComparer.Ordinal);
        foreach (var address in owned.Where(a => !configured.Contains(a)).Order(StringComparer.Ordinal))
        {
            removals.Add($"no neighbor {address}");
        }

        foreach (var line in running.Children)
        {
            var words = line.Text.Split(' ');
            if (words.Length < 3 || words[0] != "neighbor" || !configured.Contains(words[1]) || !owned.Contains(words[1]) || desired.Find(line.Text) is not null)
            {
                continue;
            }

            var bfdProfile = desired.Children.Any(c => c.Text.StartsWith($"neighbor {words[1]} bfd profile ", StringComparison.Ordinal));
            switch (words[2])
            {
                case "password" or "timers":
                case "bfd" when words.Length > 3 || !bfdProfile:
                    removals.Add($"no {line.Text}");
                    break;
            }
        }

        return removals;
    }

    private static void Emit(List<string> commands, Line line)
    {
        commands.Add(line.Text);
        if (line.Children.Count == 0)
        {
            return;
        }

        foreach (var child in line.Children)
        {
            Emit(commands, child);
        }

        commands.Add(line.Text.StartsWith("address-family ", StringComparison.Ordinal) ? "exit-address-family" : "exit");
    }

    private static void Append(StringBuilder text, Line line, int depth)
    {
        text.Append(' ', depth).Append(line.Text).Append('\n');
        foreach (var child in line.Children)
        {
            Append(text, child, depth + 1);
        }
    }

    private static bool IsOwnedPrefixListEntry(string text) =>
        text.StartsWith($"ip prefix-list {OwnedPrefix}", StringComparison.Ordinal) || text.StartsWith($"ipv6 prefix-list {OwnedPrefix}", StringComparison.Ordinal);

    /// <summary>True when two prefix-list lines are the same entry, whatever their sequence numbers.</summary>
    private static bool SamePrefixListEntry(string a, string b) => IsOwnedPrefixListEntry(a) && WithoutSeq(a) == WithoutSeq(b);

    private static string WithoutSeq(string text)
    {
        var words = text.Split(' ').ToList();
        var seq = words.IndexOf("seq");
        if (seq >= 0 && seq + 1 < words.Count)
        {
            words.RemoveRange(seq, 2);
        }

        return string.Join(' ', words);
    }

    private static string PrefixListName(bool v6, string communities)
    {
        var family = v6 ? "6" : "4";
        if (communities.Length == 0)
        {
            return $"{OwnedPrefix}{family}";
        }

        // A stable name per set of communities: the same set keeps its list across reloads.
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(communities)))[..8];
        return $"{OwnedPrefix}{family}-{hash}";
    }

    private static bool IsV6(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6;

    private static Line Plain(string text) => new(text, []);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
