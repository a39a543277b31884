using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Vipd.Core.Checks;
using Vipd.Core.Config;
using Vipd.Core.Crypto;
using Vipd.Core.Intents;
using Vipd.Core.Nodes;

namespace Vipd.Core.Tests.Simulation.WholeNode;

/// <summary>
/// Whole nodes in virtual time: each host runs the daemon's own <see cref="Node"/> (membership, election, intents,
/// announcer) on a <see cref="SimLoop"/>, with a <see cref="SimKernel"/> address table, gossip over the seeded
/// <see cref="SimulatedNetwork"/> and announcements over a <see cref="SimSegment"/> that a client's neighbour cache
/// learns from. Only the I/O ports are simulated; every decision is the daemon's code.
/// </summary>
internal sealed class NodeSimulation : IDisposable
{
    private static readonly Keyring Keys = Keyring.FromKeys([Enumerable.Range(7, 32).Select(i => (byte)i).ToArray()]);
    private readonly DateTimeOffset _epoch;
    private readonly List<string> _log = [];
    private int _starts;

    public NodeSimulation(int seed, int hosts, int vips, bool quorum, string profile = "default")
    {
        Profile = profile;
        Seed = seed;
        Random = new Random(seed);
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 0, 0, 0, TimeSpan.Zero));
        _epoch = Time.GetUtcNow();
        Network = new SimulatedNetwork(Time, seed);
        Segment = new SimSegment(Time);
        Quorum = quorum;
        Hosts = [.. Enumerable.Range(0, hosts).Select(i => new SimHost(i, $"n{i}", new IPEndPoint(IPAddress.Parse($"192.0.2.{i + 11}"), 7450)))];
        VipCount = vips;
        Config = [.. Hosts.Select(h => Load(ConfigText(h, vips, extraVip: false)))];
    }

    public int Seed { get; }

    public Random Random { get; }

    public FakeTimeProvider Time { get; }

    public SimulatedNetwork Network { get; }

    public SimSegment Segment { get; }

    public bool Quorum { get; }

    /// <summary>The membership profile of every node (<c>[cluster] profile</c>).</summary>
    public string Profile { get; }

    public int VipCount { get; }

    public IReadOnlyList<SimHost> Hosts { get; }

    /// <summary>Each host's config (replaced by a reload).</summary>
    public VipdConfig[] Config { get; }

    public TimeSpan Now => Time.GetUtcNow() - _epoch;

    /// <summary>The faults injected, with their times, for the failure message.</summary>
    public IReadOnlyList<string> Log => _log;

    public void Note(string what) => _log.Add(string.Create(CultureInfo.InvariantCulture, $"{Now.TotalMilliseconds,8:F0} ms  {what}"));

    /// <summary>Starts (or restarts) the daemon on a host; a fresh kernel is a rebooted host, else its old VIPs are still bound.</summary>
    public void Start(SimHost host, bool freshKernel)
    {
        if (freshKernel)
        {
            host.Kernel = new SimKernel(host.Index + 1);
        }

        host.Kernel.LinkUp = true;
        host.Crashed = false;
        host.Frozen = false;
        host.Conflicts = new SimConflictMonitor();
        host.Monitor = new SimNetworkMonitor();
        var loop = new SimLoop();
        host.Loop = loop;
        var transport = Network.Attach(host.Endpoint, (bytes, from) => loop.Post(() => host.Node?.OnDatagram(bytes, from)));
        var ports = new NodePorts(transport, host.Kernel, new SimNeighborAnnouncer(Segment, () => host), host.Monitor, host.Conflicts);
        var random = new Random(unchecked((Seed * 7919) + (++_starts * 104729)));
        var node = new Node(Config[host.Index], Keys, ports, loop, Time, random);
        host.Node = node;
        Segment.Attach(host);
        var seeds = Hosts.Where(h => h != host).Select(h => h.Endpoint).ToList();
        loop.Post(() =>
        {
            node.CleanupLeftovers();
            node.Start(seeds);
            node.SetChecks(host.CheckResults);
            node.SetBgpSessions(host.BgpSessions);
            if (host.Maintenance)
            {
                node.SetMaintenance(true);
            }
        });

        // The daemon's start-up settle: the first desired set is applied after two probe rounds.
        After(node.MembershipOptions.ProbeInterval * 2, () => loop.Post(() =>
        {
            if (host.Node == node)
            {
                node.ApplyDesiredNow();
            }
        }));
    }

    /// <summary>A host dies as a real one does: the cable first (nothing leaves or arrives), then the process.</summary>
    /// <summary>Starts every host on a fresh kernel (the usual first step of a scenario).</summary>
    public void StartAll()
    {
        foreach (var host in Hosts)
        {
            Start(host, freshKernel: true);
        }
    }

    public void Crash(SimHost host)
    {
        Note($"crash {host.Name}");
        host.Kernel.LinkUp = false;
        Network.Detach(host.Endpoint);
        Segment.Detach(host);
        host.Loop?.Kill();
        host.Crashed = true;
        host.Node = null;
    }

    /// <summary>A clean stop: hand over, release, leave (SIGTERM).</summary>
    public void Stop(SimHost host)
    {
        Note($"stop {host.Name}");
        if (host.Node is { } node && host.Loop is { } loop)
        {
            loop.Post(node.BeginDrain);
            After(TimeSpan.FromMilliseconds(300), () => loop.Post(() =>
            {
                node.ReleaseAllAndLeave();
                After(TimeSpan.FromMilliseconds(5), () =>
                {
                    Network.Detach(host.Endpoint);
                    Segment.Detach(host);
                    loop.Kill();
                    host.Node = null;
                    host.Crashed = true;
                });
            }));
        }
    }

    public void Freeze(SimHost host, TimeSpan duration)
    {
        Note($"freeze {host.Name} for {duration.TotalMilliseconds:F0} ms");
        host.Frozen = true;
        host.Loop?.Freeze();
        var loop = host.Loop;
        After(duration, () =>
        {
            if (host.Loop == loop)
            {
                host.Frozen = false;
                loop?.Thaw();
            }
        });
    }

    /// <summary>The NIC goes down while gossip (another network) stays up.</summary>
    public void LinkDown(SimHost host, TimeSpan duration)
    {
        Note($"link down {host.Name} for {duration.TotalMilliseconds:F0} ms");
        host.SetLink(false);
        var node = host.Node;
        After(duration, () =>
        {
            if (host.Node == node && node is not null)
            {
                host.SetLink(true);
            }
        });
    }

    /// <summary>The first minority violation seen (a node that holds a VIP in a minority, with quorum on), or null.</summary>
    public string? MinorityViolation { get; private set; }

    /// <summary>Counts network changes: a minority check is valid only while its partition stands.</summary>
    public int NetworkEpoch { get; private set; }

    /// <summary>Splits gossip between the first <paramref name="cut"/> hosts and the rest; returns the partition's epoch.</summary>
    public int Partition(int cut)
    {
        Note($"partition [{string.Join(",", Hosts.Take(cut).Select(h => h.Name))}] | [{string.Join(",", Hosts.Skip(cut).Select(h => h.Name))}]");
        Network.Partition(Hosts.Take(cut).Select(h => h.Endpoint), Hosts.Skip(cut).Select(h => h.Endpoint));
        return ++NetworkEpoch;
    }

    public void HealNetwork()
    {
        Note("network healed");
        Network.Heal();
        Network.LossRate = 0;
        Network.Jitter = TimeSpan.FromMilliseconds(0.2);
        NetworkEpoch++;
    }

    /// <summary>With quorum on, while partition <paramref name="epoch"/> stands: no live, running host of the minority side holds a VIP.</summary>
    public void CheckMinority(int cut, int epoch)
    {
        if (!Quorum || epoch != NetworkEpoch)
        {
            return;
        }

        var majority = (Hosts.Count / 2) + 1;
        foreach (var side in new[] { Hosts.Take(cut).ToList(), Hosts.Skip(cut).ToList() })
        {
            if (side.Count >= majority)
            {
                continue;
            }

            foreach (var host in side.Where(h => h.Up && !h.Frozen))
            {
                if (host.Kernel.ListAddresses().Count > 0)
                {
                    MinorityViolation ??= $"{host.Name} holds {host.Kernel.ListAddresses().Count} VIPs in a minority 2 s into a partition";
                }
            }
        }
    }

    public void FailCheck(SimHost host, TimeSpan duration)
    {
        Note($"check fails on {host.Name} for {duration.TotalMilliseconds:F0} ms");
        SetCheck(host, false);
        After(duration, () => SetCheck(host, true));
    }

    /// <summary>The host's BGP sessions go down (or come back) in its FRR.</summary>
    public void SetBgpSessions(SimHost host, BgpSessions sessions)
    {
        Note($"BGP sessions on {host.Name}: {sessions}");
        host.BgpSessions = sessions;
        if (host.Node is { } node && host.Loop is { } loop)
        {
            loop.Post(() => node.SetBgpSessions(sessions));
        }
    }

    public void Reload(bool extraVip)
    {
        Note($"reload all ({(extraVip ? "adds" : "removes")} VIP v-extra)");
        foreach (var host in Hosts)
        {
            Config[host.Index] = Load(ConfigText(host, VipCount, extraVip));
            if (host.Node is { } node && host.Loop is { } loop)
            {
                var config = Config[host.Index];
                loop.Post(() => node.Reload(config, vipsOrChecksChanged: true));
            }
        }
    }

    /// <summary>Reloads one host only (its config gains or loses v-extra; its peers keep theirs).</summary>
    public void ReloadOne(SimHost host, bool extraVip)
    {
        Note($"reload {host.Name} ({(extraVip ? "adds" : "removes")} VIP v-extra)");
        Config[host.Index] = Load(ConfigText(host, VipCount, extraVip));
        if (host.Node is { } node && host.Loop is { } loop)
        {
            var config = Config[host.Index];
            loop.Post(() => node.Reload(config, vipsOrChecksChanged: true));
        }
    }

    /// <summary>vipctl on one host applies (or removes) a dynamic VIP.</summary>
    public void ApplyDynamic(SimHost host, int index, bool remove)
    {
        Note($"{(remove ? "remove" : "apply")} dynamic d{index} on {host.Name}");
        if (host.Node is not { } node || host.Loop is not { } loop)
        {
            return;
        }

        if (remove)
        {
            loop.Post(() => Refused(() => node.Intents.Remove("storm", [$"d{index}"], all: false)));
            return;
        }

        if (!IntentValidation.TryCreateVip($"d{index}", $"203.0.113.{index + 10}/32", "eth0", null, null, null, 100, null, out var vip, out var errors))
        {
            throw new InvalidOperationException(string.Join("; ", errors));
        }

        loop.Post(() => Refused(() => node.Intents.Apply("storm", [vip!], replace: false)));
    }

    /// <summary>A command the API would refuse (removing what this node never saw) is refused here too, as the API's error.</summary>
    private void Refused(Action command)
    {
        try
        {
            command();
        }
        catch (IntentException ex)
        {
            Note($"refused: {ex.Message}");
        }
    }

    /// <summary>Runs the clock for <paramref name="duration"/> in 1 ms steps, calling <paramref name="each"/> after every step.</summary>
    public void Run(TimeSpan duration, Action? each = null)
    {
        var end = Now + duration;
        while (Now < end)
        {
            Time.Advance(TimeSpan.FromMilliseconds(1));
            each?.Invoke();
        }
    }

    public void After(TimeSpan delay, Action action)
    {
        ITimer? timer = null;
        timer = Time.CreateTimer(
            _ =>
            {
                timer?.Dispose();
                action();
            },
            null,
            delay,
            Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// Null when the invariants hold now: every VIP that a live node knows has at most one holder; when an eligible
    /// node exists (and, with quorum, a majority is up) exactly one eligible node holds it and the client's cache
    /// points at that node; every live node has the same VIP set.
    /// </summary>
    public string? CheckInvariants()
    {
        var live = Hosts.Where(h => h.Up).ToList();
        if (live.Count == 0)
        {
            return null;
        }

        var sets = live.Select(h => string.Join(',', h.Node!.Vips.ByName.Keys.Order(StringComparer.Ordinal))).Distinct(StringComparer.Ordinal).ToList();
        if (sets.Count > 1)
        {
            return $"live nodes disagree on the VIP set: {string.Join(" | ", sets)}";
        }

        var majority = (Hosts.Count / 2) + 1;
        foreach (var vip in live[0].Node!.Vips.ByName.Values)
        {
            var address = vip.Config.Address;
            var holders = live.Where(h => h.Kernel.Has(address)).ToList();
            if (holders.Count > 1)
            {
                return $"VIP {vip.Name} held by {string.Join(", ", holders.Select(h => h.Name))}";
            }

            var eligible = live.Where(h => Eligible(h, vip.Config)).ToList();
            if (eligible.Count == 0 || (Quorum && live.Count < majority))
            {
                continue;
            }

            if (holders.Count == 0)
            {
                return $"VIP {vip.Name} held by nobody; eligible: {string.Join(", ", eligible.Select(h => h.Name))}";
            }

            if (!eligible.Contains(holders[0]))
            {
                return $"VIP {vip.Name} held by {holders[0].Name}, which is not eligible";
            }

            if (!Segment.ClientCache.TryGetValue(address, out var mac) || !mac.Equals(holders[0].Kernel.Mac))
            {
                return $"VIP {vip.Name}: the client's cache points at {mac?.ToString() ?? "nothing"}, the holder is {holders[0].Name} ({holders[0].Kernel.Mac})";
            }
        }

        return null;
    }

    /// <summary>What the failure message shows: the seed, the replay command, the fault log, each host's state.</summary>
    public string Describe(string violation)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"seed {Seed}: {violation} at {Now.TotalMilliseconds:F0} ms");
        text.AppendLine(CultureInfo.InvariantCulture, $"replay: VIPD_SEED={Seed} dotnet test tests/Vipd.Core.Tests -c Release --filter \"FullyQualifiedName~WholeNodeChaos\"");
        foreach (var line in _log)
        {
            text.AppendLine(line);
        }

        foreach (var host in Hosts)
        {
            var held = host.Up ? string.Join(",", host.Node!.Announcer.Held.Order(StringComparer.Ordinal)) : "-";
            var desired = host.Up ? string.Join(",", host.Node!.Cluster.Desired.Order(StringComparer.Ordinal)) : "-";
            text.AppendLine(CultureInfo.InvariantCulture, $"{host.Name}: up={host.Up} link={host.Kernel.LinkUp} check={host.CheckPassing} held=[{held}] desired=[{desired}]");
        }

        return text.ToString();
    }

    public void Dispose()
    {
        foreach (var host in Hosts)
        {
            host.Loop?.Kill();
        }

        Network.Dispose();
    }

    private static bool Eligible(SimHost host, VipConfig vip) =>
        host.Up && !host.Frozen && host.Kernel.LinkUp && !host.Maintenance
        && (vip.Checks.IsEmpty || host.CheckPassing)
        && (vip.Mode != VipMode.Bgp || host.BgpSessions.For(vip) == BgpSessionState.Established)
        && (vip.Nodes.IsEmpty || vip.Nodes.Contains(host.Name));

    private static void SetCheck(SimHost host, bool passing)
    {
        host.CheckPassing = passing;
        if (host.Node is { } node && host.Loop is { } loop)
        {
            var results = host.CheckResults;
            loop.Post(() => node.SetChecks(results));
        }
    }

    private static VipdConfig Load(string text)
    {
        var result = ConfigLoader.Parse(text, "sim.toml", new ConfigLoadOptions { CheckFiles = false });
        return result.IsValid ? result.Config : throw new InvalidOperationException(string.Join(Environment.NewLine, result.Errors));
    }

    private string ConfigText(SimHost host, int vips, bool extraVip)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"[node]\nname = \"{host.Name}\"\naddress = \"{host.Endpoint.Address}\"\ninterface = \"eth0\"\n");
        var peers = string.Join(", ", Hosts.Where(h => h != host).Select(h => $"\"{h.Endpoint.Address}\""));
        text.AppendLine(CultureInfo.InvariantCulture, $"[cluster]\npeers = [{peers}]\nkey_file = \"sim.key\"\nprofile = \"{Profile}\"\nquorum = {(Quorum ? "true" : "false")}\n");
        text.AppendLine("[api]\nvip_prefixes = [\"203.0.113.0/24\"]\n");
        text.AppendLine("[[check]]\nname = \"svc\"\ntype = \"exec\"\ncommand = [\"/bin/true\"]\n");
        for (var i = 0; i < vips; i++)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"[[vip]]\nname = \"v{i}\"\naddress = \"198.51.100.{i + 100}/32\"\ninterface = \"eth0\"");
            if (i % 3 == 0)
            {
                text.AppendLine("checks = [\"svc\"]");
            }

            if (i % 4 == 1)
            {
                text.AppendLine("preempt = false");
            }

            if (i % 5 == 2 && Hosts.Count > 2)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"nodes = [\"{Hosts[0].Name}\", \"{Hosts[1].Name}\"]");
            }

            text.AppendLine();
        }

        if (extraVip)
        {
            text.AppendLine("[[vip]]\nname = \"v-extra\"\naddress = \"198.51.100.250/32\"\ninterface = \"eth0\"\n");
        }

        return text.ToString();
    }
}
