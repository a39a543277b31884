using Microsoft.Extensions.Time.Testing;
using Vipd.Core.Cluster;
using Vipd.Core.Election;

namespace Vipd.Core.Tests.Simulation;

/// <summary>
/// A whole cluster in one process: N <see cref="ClusterNode"/>s over the gossip model, a fake clock, a seeded
/// network, crash/restart/planned stop, partitions. The announcer is modelled as instant (Desired is held at once).
/// </summary>
internal sealed class ClusterSimulation : IDisposable
{
    private readonly MinorityTracker _minority = new();
    private readonly Dictionary<string, ClusterSimNode> _byName;

    public ClusterSimulation(int seed, int nodes, IReadOnlyList<VipSpec> vips, bool quorum, ClusterSimOptions options, TimeSpan handoverTimeout)
    {
        Seed = seed;
        Random = new Random(seed);
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero));
        Network = new ClusterSimGossip(Time, Random, options);
        Vips = vips;
        Options = new ClusterOptions(quorum, nodes, handoverTimeout);
        Nodes = [.. Enumerable.Range(0, nodes).Select(i => new ClusterSimNode($"node-{i:D2}", i))];
        _byName = Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        Network.OnTick = FinishStops;
    }

    public int Seed { get; }

    public Random Random { get; }

    public FakeTimeProvider Time { get; }

    public ClusterSimGossip Network { get; }

    public IReadOnlyList<VipSpec> Vips { get; }

    public ClusterOptions Options { get; }

    public IReadOnlyList<ClusterSimNode> Nodes { get; }

    public TimeSpan Now => Network.Now;

    /// <summary>The first invariant violation seen, or null.</summary>
    public string? Violation { get; private set; }

    /// <summary>The longest time a minority node may keep a VIP after it becomes a minority: detection plus a tick and a delay.</summary>
    public TimeSpan MinorityBound => Network.Options.DeadAfter + Network.Options.Tick + Network.Options.MaxDelay;

    public ClusterSimNode this[string name] => _byName[name];

    public void Start(ClusterSimNode node)
    {
        node.Starts++;
        node.Stopping = false;
        _minority.Forget(node.Name);
        var membership = new ClusterSimMembership(node.Name, (uint)node.Starts << 20, Network, node.Index);
        var cluster = new ClusterNode(node.Name, Options, membership, Time, null);
        node.Membership = membership;
        node.Cluster = cluster;
        cluster.DesiredChanged += set => cluster.ReportHeld([.. set]);
        Network.Attach(membership);
        cluster.SetVips(Vips);
        cluster.SetLocalState(node.Maintenance, node.Vips);
        var seeds = Nodes.Where(n => n != node && n.Up).ToList();
        if (seeds.Count > 0)
        {
            membership.Join(seeds[Random.Next(seeds.Count)].Name);
        }

        TopologyChanged();
    }

    public void Crash(ClusterSimNode node)
    {
        if (!node.Up)
        {
            return;
        }

        Network.Detach(node.Name);
        node.Cluster!.Dispose();
        node.Cluster = null;
        node.Membership = null;
        node.Stopping = false;
        TopologyChanged(reachabilityMayGrow: false);
    }

    /// <summary>A planned stop: hand over, then leave once every VIP is handed over (or the handover timeout passed).</summary>
    public void Stop(ClusterSimNode node)
    {
        if (!node.Up || node.Stopping)
        {
            return;
        }

        node.Stopping = true;
        node.StopDeadline = Now + Options.HandoverTimeout + Network.Options.Tick;
        node.Cluster!.BeginHandover();
    }

    public static void SetLocal(ClusterSimNode node, string vip, bool eligible, int priority)
    {
        node.Vips[vip] = new LocalVipState(eligible, priority);
        node.Cluster?.SetLocalState(node.Maintenance, node.Vips);
    }

    public static void SetMaintenance(ClusterSimNode node, bool maintenance)
    {
        node.Maintenance = maintenance;
        node.Cluster?.SetLocalState(node.Maintenance, node.Vips);
    }

    public void Partition(IReadOnlyDictionary<string, int> groups)
    {
        Network.Partition(groups);
        TopologyChanged();
    }

    public void Heal()
    {
        Network.Heal();
        TopologyChanged();
    }

    /// <summary>Runs for <paramref name="duration"/>, checking the quorum invariant after every event.</summary>
    public void Run(TimeSpan duration)
    {
        Network.AfterEvent = CheckMinority;
        Network.RunUntil(Now + duration);
        Network.AfterEvent = null;
    }

    /// <summary>Runs until <paramref name="done"/> holds (checked after every event) or <paramref name="limit"/> passes; returns the time taken or null.</summary>
    public TimeSpan? RunUntil(Func<bool> done, TimeSpan limit)
    {
        var start = Now;
        TimeSpan? at = null;
        Network.AfterEvent = () =>
        {
            CheckMinority();
            if (at is null && done())
            {
                at = Now - start;
            }
        };
        var step = Network.Options.Tick;
        while (at is null && Now - start < limit)
        {
            Network.RunUntil(Now + step);
        }

        Network.AfterEvent = null;
        return at;
    }

    public IEnumerable<ClusterSimNode> Holders(string vip) => Nodes.Where(n => n.Up && n.Held.Contains(vip));

    /// <summary>
    /// With the network healed and quiet for a detection window: every up node agrees on each owner; exactly one node
    /// holds a VIP when an eligible node exists (and it is eligible), none otherwise; none without a quorum.
    /// </summary>
    public string? CheckConverged()
    {
        var up = Nodes.Where(n => n.Up).ToList();
        return ConvergenceInvariant.Check(
            up, Vips, new QuorumState(Options.Quorum, up.Count, Options.ExpectedNodes), n => n.Name, n => n.Cluster!, IsEligible, Holders);
    }

    public static bool IsEligible(ClusterSimNode node, VipSpec vip) =>
        node.Up && !node.Maintenance && !node.Stopping
        && (vip.AllowedNodes is null || vip.AllowedNodes.Contains(node.Name))
        && node.Vips.TryGetValue(vip.Name, out var state) && state.Eligible;

    public string Describe() =>
        string.Join("; ", Nodes.Select(n => $"{n.Name}{(n.Up ? string.Empty : " down")}{(n.Maintenance ? " maint" : string.Empty)}{(n.Stopping ? " stopping" : string.Empty)} g{Network.GroupOf(n.Name)} holds [{string.Join(",", n.Held.Order())}]"));

    public void Dispose()
    {
        foreach (var node in Nodes)
        {
            node.Cluster?.Dispose();
        }
    }

    private void FinishStops()
    {
        foreach (var node in Nodes)
        {
            if (node.Up && node.Stopping && (node.Cluster!.HandoverComplete || Now >= node.StopDeadline))
            {
                node.Membership!.Leave();
                Crash(node);
            }
        }
    }

    private void TopologyChanged(bool reachabilityMayGrow = true)
    {
        var needed = (Options.ExpectedNodes / 2) + 1;
        _minority.Update(Nodes.Select(node => (node.Name, !node.Up || Nodes.Count(o => o.Up && Network.Reachable(o.Name, node.Name)) < needed)), Now, reachabilityMayGrow);
    }

    private void CheckMinority()
    {
        if (Options.Quorum && Violation is null)
        {
            Violation = _minority.FindViolation(Now, MinorityBound, name => _byName[name] is { Up: true } node ? node.Held : []);
        }
    }
}
