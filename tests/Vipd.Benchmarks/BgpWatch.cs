using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Vipd.Lab;
using Vipd.Lab.Daemon;

namespace Vipd.Benchmarks;

/// <summary>
/// Netlink time lines of the BGP lab, each from <c>ip -ts monitor</c> inside a namespace (it only listens): the VIP
/// appearing on and leaving each node's <c>lo</c> (vipd's announcer adds and removes it the moment vipd decides, and
/// FRR redistributes it from there), and the VIP's route at the router (its next hops after every change). All time
/// stamps are the same wall clock (CLOCK_REALTIME, local time), so an address event and the route change it causes can
/// be subtracted. A crash kills the node's monitor with everything else in its namespace: <see cref="Restart"/> after a revive.
/// </summary>
internal sealed partial class BgpWatch
{
    private readonly BgpLab _bgp;
    private readonly LabProcess _router;
    private readonly Dictionary<string, List<LabProcess>> _nodes = new(StringComparer.Ordinal);

    private BgpWatch(BgpLab bgp)
    {
        _bgp = bgp;
        _router = bgp.Lab.Router!.Start("ip", ["-ts", "monitor", "route"]);
        foreach (var node in bgp.Lab.Nodes)
        {
            _nodes[node.Name] = [node.Start("ip", ["-ts", "monitor", "address"])];
        }
    }

    /// <summary>Starts the monitors (the lab kills them when it is disposed).</summary>
    public static async Task<BgpWatch> StartAsync(BgpLab bgp)
    {
        var watch = new BgpWatch(bgp);
        await Task.Delay(TimeSpan.FromMilliseconds(200)).ConfigureAwait(false); // subscribed before anything is measured
        return watch;
    }

    /// <summary>Starts <paramref name="node"/>'s address monitor again (after a crash killed it).</summary>
    public void Restart(LabHost node) => _nodes[node.Name].Add(node.Start("ip", ["-ts", "monitor", "address"]));

    /// <summary>Every change of the VIP's route at the router: when, and its next hops after it (empty: no route).</summary>
    public IReadOnlyList<RouteEvent> RouteEvents()
    {
        var events = new List<RouteEvent>();
        foreach (var (at, text) in Messages(_router.Output))
        {
            var deleted = text.StartsWith("Deleted ", StringComparison.Ordinal);
            var body = deleted ? text["Deleted ".Length..] : text;
            var destination = body.Split(' ', 2)[0];
            if (destination != BgpLab.Vip.ToString() && destination != $"{BgpLab.Vip}/32")
            {
                continue;
            }

            if (body.Contains(" table ", StringComparison.Ordinal))
            {
                continue; // the local table and others: not the forwarding route
            }

            var hops = deleted ? [] : Via().Matches(body).Select(m => IPAddress.Parse(m.Groups[1].Value)).ToHashSet();
            events.Add(new RouteEvent(at, hops, text));
        }

        return events;
    }

    /// <summary>Every time the VIP appeared on or left a node's <c>lo</c>.</summary>
    public IReadOnlyList<AddressEvent> AddressEvents()
    {
        var events = new List<AddressEvent>();
        foreach (var node in _bgp.Lab.Nodes)
        {
            foreach (var process in _nodes[node.Name])
            {
                foreach (var (at, text) in Messages(process.Output))
                {
                    if (text.Contains($"inet {BgpLab.Vip}/32", StringComparison.Ordinal) && text.Contains(" lo", StringComparison.Ordinal))
                    {
                        events.Add(new AddressEvent(at, node, !text.StartsWith("Deleted ", StringComparison.Ordinal)));
                    }
                }
            }
        }

        return [.. events.OrderBy(e => e.At)];
    }

    /// <summary>
    /// For every address event in [<paramref name="from"/>, <paramref name="to"/>): the time until the router's route
    /// first shows it (the node's next hop present after an add, absent after a removal). An event the route already
    /// showed (an address re-added before its withdrawal reached the router) is left out and counted in Skipped.
    /// </summary>
    public (List<(AddressEvent Event, double Ms)> Samples, int Skipped) Latencies(DateTime from, DateTime to)
    {
        var routes = RouteEvents();
        var samples = new List<(AddressEvent Event, double Ms)>();
        var skipped = 0;
        foreach (var e in AddressEvents().Where(e => e.At >= from && e.At < to))
        {
            bool Shows(IReadOnlySet<IPAddress> hops) => hops.Contains(e.Node.IPv4) == e.Added;
            var before = routes.LastOrDefault(r => r.At <= e.At);
            if (before is not null && Shows(before.Hops))
            {
                skipped++;
                continue;
            }

            var after = routes.FirstOrDefault(r => r.At > e.At && Shows(r.Hops));
            if (after is null || after.At - e.At > TimeSpan.FromSeconds(10))
            {
                skipped++;
                continue;
            }

            samples.Add((e, (after.At - e.At).TotalMilliseconds));
        }

        return (samples, skipped);
    }

    /// <summary>The address and route events between <paramref name="from"/> and <paramref name="to"/>, one line each, for an outlier's time line.</summary>
    public IEnumerable<string> Timeline(DateTime from, DateTime to, bool raw = false)
    {
        var lines = AddressEvents().Where(e => e.At >= from && e.At <= to).Select(e => (e.At, $"{e.Node.Name} lo: {(e.Added ? "+" : "-")}{BgpLab.Vip}"))
            .Concat(RouteEvents().Where(r => r.At >= from && r.At <= to).Select(r => (r.At, $"router FIB: [{string.Join(", ", r.Hops.Select(NodeName))}]{(raw ? $" ({r.Text})" : "")}")));
        return lines.OrderBy(l => l.At).Select(l => $"{l.At:HH:mm:ss.fff} {l.Item2}");
    }

    private string NodeName(IPAddress address) => _bgp.Lab.Nodes.FirstOrDefault(n => n.IPv4.Equals(address))?.Name ?? address.ToString();

    /// <summary>The monitor's messages: a line "[TIME] text" and its indented continuation lines (a multipath route's next hops).</summary>
    private static List<(DateTime At, string Text)> Messages(IReadOnlyList<string> output)
    {
        var messages = new List<(DateTime At, string Text)>();
        foreach (var line in output)
        {
            var match = Stamped().Match(line);
            if (match.Success && DateTime.TryParse(match.Groups[1].Value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
            {
                messages.Add((at, match.Groups[2].Value.Trim()));
            }
            else if (messages.Count > 0 && line.Length > 0 && char.IsWhiteSpace(line[0]))
            {
                messages[^1] = (messages[^1].At, messages[^1].Text + " " + line.Trim());
            }
        }

        return messages;
    }

    [GeneratedRegex(@"^\[([0-9T:.\-]+)\]\s*(.*)$")]
    private static partial Regex Stamped();

    [GeneratedRegex(@"via (?:inet )?([0-9.]+)")]
    private static partial Regex Via();
}

/// <summary>The VIP's route at the router changed at <paramref name="At"/>: its next hops after the change.</summary>
internal sealed record RouteEvent(DateTime At, IReadOnlySet<IPAddress> Hops, string Text);

/// <summary>The VIP appeared on (<paramref name="Added"/>) or left <paramref name="Node"/>'s <c>lo</c>.</summary>
internal sealed record AddressEvent(DateTime At, LabHost Node, bool Added);
