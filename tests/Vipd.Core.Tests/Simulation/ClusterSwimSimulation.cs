using System.Net;
using Microsoft.Extensions.Time.Testing;
using Vipd.Core.Cluster;
using Vipd.Core.Crypto;
using Vipd.Core.Election;
using Vipd.Core.Membership;

namespace Vipd.Core.Tests.Simulation;

/// <summary>
/// The whole cluster over the real protocol: one <see cref="ClusterNode"/> per node on a <see cref="SwimMembership"/>
/// on the shared <see cref="SimulatedNetwork"/>, a <see cref="FakeTimeProvider"/> advanced in 1 ms steps.
/// The announcer is modelled as instant (Desired is held at once).
/// </summary>
internal sealed class ClusterSwimSimulation : IDisposable
{
    private static readonly Keyring Keys = Keyring.FromKeys([Enumerable.Range(100, 32).Select(i => (byte)i).ToArray()]);
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(1);
    private readonly MinorityTracker _minority = new();
    private readonly Dictionary<string, int> _groups = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _epoch;
    private int _created;

    public ClusterSwimSimulation(int seed, int nodes, IReadOnlyList<VipSpec> vips, bool quorum, TimeSpan handoverTimeout, MembershipOptions? membership = null)
    {
        Seed = seed;
        Random = new Random(seed);
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero));
        _epoch = Time.GetUtcNow();
        Network = new SimulatedNetwork(Time, seed);
        MembershipOptions = membership ?? MembershipOptions.Default;
        Vips = vips;
        Options = new ClusterOptions(quorum, nodes, handoverTimeout);
        Nodes = [.. Enumerable.Range(0, nodes).Select(i => new SwimNode($"node-{i:D2}", new IPEndPoint(IPAddress.Parse($"192.0.2.{i + 11}"), 7450)))];
    }

    public int Seed { get; }

    public Random Random { get; }

    public FakeTimeProvider Time { get; }

    public SimulatedNetwork Network { get; }

    public MembershipOptions MembershipOptions { get; }

    public IReadOnlyList<VipSpec> Vips { get; }

    public ClusterOptions Options { get; }

    public IReadOnlyList<SwimNode> Nodes { get; }

    public TimeSpan Now => Time.GetUtcNow() - _epoch;

    /// <summary>How long a node may stay in a minority and still hold a VIP (checked after every step).</summary>
    public TimeSpan MinorityBound { get; set; } = TimeSpan.FromSeconds(3);

    public string? Violation { get; private set; }

    /// <summary>Every ReannounceRequested raised: when, by which node, for which VIP.</summary>
    public List<(TimeSpan At, string Node, string Vip)> Reannounced { get; } = [];

    public void Start(SwimNode node)
    {
        var random = new Random(unchecked((Seed * 7919) + (++_created * 104729)));
        var transport = Network.Attach(node.Endpoint, (bytes, from) => node.Membership?.OnDatagram(bytes, from));
        var membership = new SwimMembership(node.Name, node.Endpoint, MembershipOptions, transport, Keys, Time, random);
        var cluster = new ClusterNode(node.Name, Options, membership, Time, null);
        node.Membership = membership;
        node.Cluster = cluster;
        node.Stopping = false;
        cluster.DesiredChanged += set => cluster.ReportHeld([.. set]);
        cluster.ReannounceRequested += vip => Reannounced.Add((Now, node.Name, vip));
        cluster.SetVips(Vips);
        ApplyLocal(node);
        membership.Start([.. Nodes.Where(n => n != node).Take(3).Select(n => n.Endpoint)]);
        _minority.Forget(node.Name);
        TopologyChanged(true);
    }

    public void Crash(SwimNode node)
    {
        if (node.Cluster is null)
        {
            return;
        }

        Network.Detach(node.Endpoint);
        node.Cluster.Dispose();
        node.Membership!.Dispose();
        node.Cluster = null;
        node.Membership = null;
        node.Stopping = false;
        TopologyChanged(false);
    }

    public void Stop(SwimNode node)
    {
        if (node.Cluster is null || node.Stopping)
        {
            return;
        }

        node.Stopping = true;
        node.StopDeadline = Now + Options.HandoverTimeout;
        node.Cluster.BeginHandover();
    }

    public static void SetLocal(SwimNode node, string vip, bool eligible, int priority)
    {
        node.Vips[vip] = new LocalVipState(eligible, priority);
        ApplyLocal(node);
    }

    public static void SetMaintenance(SwimNode node, bool maintenance)
    {
        node.Maintenance = maintenance;
        ApplyLocal(node);
    }

    /// <summary>
    /// Gives the node's local state to its cluster node: with a <see cref="SwimNode.Model"/>, its verdicts (lean
    /// records; <see cref="SwimNode.Vips"/> is then what the model derives, for the invariants); else the per-VIP states.
    /// </summary>
    public static void ApplyLocal(SwimNode node)
    {
        if (node.Model is { } model)
        {
            var standing = model.Derive(node.Name, node.Verdicts);
            node.Vips.Clear();
            for (var i = 0; i < standing.Length; i++)
            {
                node.Vips[model.Vips[i].Name] = new LocalVipState(standing[i].Eligible, standing[i].Priority);
            }

            node.Cluster?.SetLocalState(node.Maintenance, model, node.Verdicts);
        }
        else
        {
            node.Cluster?.SetLocalState(node.Maintenance, node.Vips);
        }
    }

    public void Partition(IReadOnlyDictionary<string, int> groups)
    {
        Network.Heal();
        _groups.Clear();
        foreach (var (name, group) in groups)
        {
            _groups[name] = group;
        }

        foreach (var a in Nodes)
        {
            foreach (var b in Nodes)
            {
                if (GroupOf(a) < GroupOf(b))
                {
                    Network.Partition(a.Endpoint, b.Endpoint);
                }
            }
        }

        TopologyChanged(true);
    }

    public void Heal()
    {
        Network.Heal();
        _groups.Clear();
        TopologyChanged(true);
    }

    public void Run(TimeSpan duration, Func<bool>? until = null)
    {
        var end = Now + duration;
        while (Now < end)
        {
            Time.Advance(Step);
            FinishStops();
            CheckMinority();
            if (until?.Invoke() == true)
            {
                return;
            }
        }
    }

    public IEnumerable<SwimNode> Holders(string vip) => Nodes.Where(n => n.Cluster is not null && n.Cluster.Desired.Contains(vip));

    /// <summary>The convergence invariant over every VIP, or over <paramref name="sample"/> (a large run's spot check).</summary>
    public string? CheckConverged(IEnumerable<VipSpec>? sample = null)
    {
        var up = Nodes.Where(n => n.Cluster is not null).ToList();
        return ConvergenceInvariant.Check(
            up, sample ?? Vips, new QuorumState(Options.Quorum, up.Count, Options.ExpectedNodes), n => n.Name, n => n.Cluster!, IsEligible, Holders);
    }

    public string Describe() =>
        string.Join("; ", Nodes.Select(n => $"{n.Name}{(n.Cluster is null ? " down" : string.Empty)}{(n.Maintenance ? " maint" : string.Empty)} g{GroupOf(n)} holds [{string.Join(",", n.Cluster?.Desired.Order() ?? Enumerable.Empty<string>())}] sees [{string.Join(",", n.Membership?.Members.Where(m => m.Name != n.Name).Select(m => $"{m.Name}={m.State}") ?? [])}]"));

    public void Dispose()
    {
        foreach (var node in Nodes)
        {
            node.Cluster?.Dispose();
            node.Membership?.Dispose();
        }

        Network.Dispose();
    }

    private static bool IsEligible(SwimNode node, VipSpec vip) =>
        node.Cluster is not null && !node.Maintenance && !node.Stopping
        && (vip.AllowedNodes is null || vip.AllowedNodes.Contains(node.Name))
        && node.Vips.TryGetValue(vip.Name, out var state) && state.Eligible;

    private int GroupOf(SwimNode node) => _groups.GetValueOrDefault(node.Name);

    private void FinishStops()
    {
        foreach (var node in Nodes)
        {
            if (node.Cluster is not null && node.Stopping && (node.Cluster.HandoverComplete || Now >= node.StopDeadline))
            {
                node.Cluster.Dispose();
                node.Membership!.Leave();
                Crash(node);
            }
        }
    }

    private void TopologyChanged(bool reachabilityMayGrow)
    {
        var needed = (Options.ExpectedNodes / 2) + 1;
        _minority.Update(Nodes.Select(node => (node.Name, node.Cluster is null || Nodes.Count(o => o.Cluster is not null && GroupOf(o) == GroupOf(node)) < needed)), Now, reachabilityMayGrow);
    }

    private void CheckMinority()
    {
        if (Options.Quorum && Violation is null)
        {
            Violation = _minority.FindViolation(Now, MinorityBound, name => (IReadOnlyCollection<string>?)Nodes.First(n => n.Name == name).Cluster?.Desired ?? []);
        }
    }

    /// <summary>One simulated server.</summary>
    internal sealed class SwimNode(string name, IPEndPoint endpoint)
    {
        public string Name { get; } = name;

        public IPEndPoint Endpoint { get; } = endpoint;

        public SwimMembership? Membership { get; set; }

        public ClusterNode? Cluster { get; set; }

        public bool Maintenance { get; set; }

        public bool Stopping { get; set; }

        public TimeSpan StopDeadline { get; set; }

        public Dictionary<string, LocalVipState> Vips { get; } = new(StringComparer.Ordinal);

        /// <summary>With a model, the node publishes lean records (its verdicts) instead of per-VIP states.</summary>
        public StandingModel? Model { get; set; }

        /// <summary>The node's check and link verdicts (with <see cref="Model"/>).</summary>
        public IReadOnlyList<NodeVerdict> Verdicts { get; set; } = [];
    }
}
