using System.Net;
using Microsoft.Extensions.Time.Testing;
using Vipd.Core.Crypto;
using Vipd.Core.Membership;

namespace Vipd.Core.Tests.Simulation;

/// <summary>
/// Many <see cref="SwimMembership"/> nodes on one <see cref="SimulatedNetwork"/> and one <see cref="FakeTimeProvider"/>:
/// everything is a function of the seed. Records when each node first saw each other node in each state.
/// </summary>
public sealed class MembershipCluster : IDisposable
{
    private static readonly Keyring SharedKeyring = Keyring.FromKeys([Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()]);

    private readonly Dictionary<string, ClusterNode> _nodes = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _epoch;
    private int _created;

    public MembershipCluster(int seed, MembershipOptions? options = null, Keyring? keyring = null)
    {
        Seed = seed;
        Options = options ?? MembershipOptions.Default;
        Keyring = keyring ?? SharedKeyring;
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        _epoch = Time.GetUtcNow();
        Network = new SimulatedNetwork(Time, seed);
        Step = Options.ProbeInterval < TimeSpan.FromMilliseconds(50) ? TimeSpan.FromMilliseconds(0.25) : TimeSpan.FromMilliseconds(1);
    }

    public int Seed { get; }

    public MembershipOptions Options { get; }

    public Keyring Keyring { get; }

    public FakeTimeProvider Time { get; }

    public SimulatedNetwork Network { get; }

    /// <summary>How far the clock moves per step (timers fire at step boundaries).</summary>
    public TimeSpan Step { get; set; }

    /// <summary>Virtual time since the cluster was made.</summary>
    public TimeSpan Elapsed => Time.GetUtcNow() - _epoch;

    public IReadOnlyCollection<ClusterNode> Nodes => _nodes.Values;

    public ClusterNode this[string name] => _nodes[name];

    /// <summary>Adds nodes n1..nCount (not started).</summary>
    public MembershipCluster AddNodes(int count)
    {
        for (var i = 0; i < count; i++)
        {
            AddNode($"n{_nodes.Count + 1}");
        }

        return this;
    }

    public ClusterNode AddNode(string name)
    {
        var index = _nodes.Count + 1;
        var endpoint = new IPEndPoint(IPAddress.Parse($"192.0.2.{(index % 250) + 1}"), 7450 + (index / 250));
        var node = new ClusterNode(this, name, endpoint);
        _nodes[name] = node;
        node.Create();
        return node;
    }

    /// <summary>Starts every node that is not running yet; seeds are the first <paramref name="seedCount"/> nodes.</summary>
    public void StartAll(int seedCount = 3)
    {
        var seeds = _nodes.Values.Take(seedCount).Select(n => n.Endpoint).ToList();
        foreach (var node in _nodes.Values.Where(n => !n.Started))
        {
            node.Start(seeds);
        }
    }

    public void RunFor(TimeSpan duration)
    {
        var end = Time.GetUtcNow() + duration;
        while (Time.GetUtcNow() < end)
        {
            Time.Advance(Step);
        }
    }

    /// <summary>Runs until <paramref name="condition"/> holds (checked each step); false on timeout.</summary>
    public bool RunUntil(Func<bool> condition, TimeSpan timeout, TimeSpan? checkEvery = null)
    {
        var end = Time.GetUtcNow() + timeout;
        var check = checkEvery ?? Step;
        var nextCheck = Time.GetUtcNow();
        while (true)
        {
            if (Time.GetUtcNow() >= nextCheck)
            {
                if (condition())
                {
                    return true;
                }

                nextCheck = Time.GetUtcNow() + check;
            }

            if (Time.GetUtcNow() >= end)
            {
                return false;
            }

            Time.Advance(Step);
        }
    }

    /// <summary>Every running node among <paramref name="names"/> sees exactly those names as Alive and no one else live.</summary>
    public bool Converged(IEnumerable<string>? names = null)
    {
        var expected = (names ?? _nodes.Values.Where(n => n.Running).Select(n => n.Name)).ToHashSet(StringComparer.Ordinal);
        foreach (var name in expected)
        {
            var members = _nodes[name].Membership.Members;
            var alive = members.Where(m => m.State == MemberState.Alive).Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
            if (!alive.SetEquals(expected) || members.Any(m => m.IsLive && !expected.Contains(m.Name)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when every running node other than <paramref name="subject"/> sees it in <paramref name="state"/>.</summary>
    public bool AllSee(string subject, MemberState state) =>
        _nodes.Values.Where(n => n.Running && n.Name != subject)
            .All(n => n.Membership.Members.Any(m => m.Name == subject && m.State == state));

    public string Describe()
    {
        var lines = _nodes.Values.Where(n => n.Running).Take(8).Select(n =>
            $"{n.Name}: " + string.Join(", ", n.Membership.Members.Take(12).Select(m => $"{m.Name}={m.State}@{m.Incarnation}/{m.Metadata.Length}")));
        var running = _nodes.Values.Where(n => n.Running).Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var problems = _nodes.Values.Where(n => n.Running).SelectMany(n =>
        {
            var members = n.Membership.Members.ToDictionary(m => m.Name, StringComparer.Ordinal);
            return running.Where(r => !members.TryGetValue(r, out var m) || m.State != MemberState.Alive)
                .Select(r => $"{n.Name} sees {r} as {(members.TryGetValue(r, out var m) ? m.State.ToString() : "unknown")}")
                .Concat(members.Values.Where(m => m.IsLive && !running.Contains(m.Name)).Select(m => $"{n.Name} sees stopped {m.Name} as {m.State}"));
        }).Take(20);
        return $"replay with VIPD_SEED={Seed}; t={Elapsed.TotalMilliseconds} ms{Environment.NewLine}"
            + string.Join(Environment.NewLine, problems.Concat(lines));
    }

    public void Dispose()
    {
        foreach (var node in _nodes.Values)
        {
            node.Membership.Dispose();
        }

        Network.Dispose();
    }

    /// <summary>One simulated process; <see cref="Restart"/> replaces it with a new process of the same name.</summary>
    public sealed class ClusterNode
    {
        private readonly MembershipCluster _cluster;
        private IReadOnlyList<IPEndPoint> _seeds = [];

        internal ClusterNode(MembershipCluster cluster, string name, IPEndPoint endpoint)
        {
            _cluster = cluster;
            Name = name;
            Endpoint = endpoint;
        }

        public string Name { get; }

        public IPEndPoint Endpoint { get; }

        public SwimMembership Membership { get; private set; } = null!;

        public bool Started { get; private set; }

        public bool Running { get; private set; }

        /// <summary>First virtual time this process saw (subject, state).</summary>
        public Dictionary<(string Subject, MemberState State), TimeSpan> FirstSeen { get; } = [];

        /// <summary>Every state change this process raised, in order.</summary>
        public List<(TimeSpan At, Member Member)> Events { get; } = [];

        internal void Create()
        {
            var random = new Random(unchecked((_cluster.Seed * 7919) + (++_cluster._created * 104729)));
            var transport = _cluster.Network.Attach(Endpoint, (bytes, from) => Membership.OnDatagram(bytes, from));
            Membership = new SwimMembership(Name, Endpoint, _cluster.Options, transport, _cluster.Keyring, _cluster.Time, random);
            FirstSeen.Clear();
            Membership.Changed += member =>
            {
                Events.Add((_cluster.Elapsed, member));
                FirstSeen.TryAdd((member.Name, member.State), _cluster.Elapsed);
            };
        }

        public void Start(IReadOnlyList<IPEndPoint> seeds)
        {
            _seeds = seeds;
            Membership.Start(seeds);
            Started = true;
            Running = true;
        }

        /// <summary>Kills the process: no leave, datagrams to it vanish.</summary>
        public void Crash()
        {
            _cluster.Network.Detach(Endpoint);
            Membership.Dispose();
            Running = false;
        }

        /// <summary>Leaves on purpose, then stops.</summary>
        public void Leave()
        {
            Membership.Leave();
            Running = false;
        }

        /// <summary>A new process with the same name and address (after a crash or leave).</summary>
        public void Restart()
        {
            _cluster.Network.Detach(Endpoint);
            Membership.Dispose();
            Create();
            Start(_seeds);
        }
    }
}
