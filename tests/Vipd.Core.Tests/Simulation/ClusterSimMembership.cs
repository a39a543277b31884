using System.Net;
using Vipd.Core.Membership;

namespace Vipd.Core.Tests.Simulation;

/// <summary>
/// One node's membership in the deterministic gossip model: heartbeats to every peer, suspect then dead after
/// silence, a higher incarnation (or a heartbeat) revives, push/pull merges full state, leave marks Left.
/// Single-threaded: the simulation loop calls <see cref="Receive"/> and <see cref="Tick"/>.
/// </summary>
internal sealed class ClusterSimMembership : IMembership
{
    private readonly ClusterSimGossip _network;
    private readonly Dictionary<string, Entry> _view = new(StringComparer.Ordinal);
    private readonly IPEndPoint _address;
    private TimeSpan _nextHeartbeat;
    private TimeSpan _nextPushPull;

    public ClusterSimMembership(string name, uint incarnation, ClusterSimGossip network, int index)
    {
        LocalName = name;
        _network = network;
        _address = new IPEndPoint(IPAddress.Parse($"192.0.2.{10 + (index % 200)}"), 7450);
        _view[name] = new Entry { State = MemberState.Alive, Incarnation = incarnation, Metadata = [], LastHeard = network.Now };
        _nextHeartbeat = network.Now;
        _nextPushPull = network.Now + TimeSpan.FromTicks(network.Random.NextInt64(network.Options.PushPullInterval.Ticks));
    }

    public string LocalName { get; }

    public IReadOnlyList<Member> Members =>
        [.. _view.Select(kv => new Member(kv.Key, _address, kv.Value.State, kv.Value.Incarnation, kv.Value.Metadata))];

    public event Action<Member>? Changed;

    /// <summary>The state this node holds about <paramref name="name"/>, or null.</summary>
    public MemberState? StateOf(string name) => _view.TryGetValue(name, out var e) ? e.State : null;

    public void UpdateMetadata(ReadOnlyMemory<byte> metadata)
    {
        var self = _view[LocalName];
        self.Incarnation++;
        self.Metadata = metadata.ToArray();
        Raise(LocalName);
        _network.Broadcast(ClusterSimMessageKind.Heartbeat, LocalName, [Own()]);
    }

    /// <summary>Starts: asks one reachable peer for its full state (a join).</summary>
    public void Join(string seed) => _network.Send(ClusterSimMessageKind.Push, LocalName, seed, Snapshot());

    /// <summary>Leaves on purpose: tells every peer.</summary>
    public void Leave() => _network.Broadcast(ClusterSimMessageKind.Leave, LocalName, [Own()]);

    public void Tick()
    {
        var now = _network.Now;
        if (now >= _nextHeartbeat)
        {
            _nextHeartbeat = now + _network.Options.HeartbeatInterval;
            _network.Broadcast(ClusterSimMessageKind.Heartbeat, LocalName, [Own()]);
        }

        if (now >= _nextPushPull)
        {
            _nextPushPull = now + _network.Options.PushPullInterval;
            var peers = _view.Where(kv => kv.Key != LocalName && kv.Value.State is MemberState.Alive or MemberState.Suspect).Select(kv => kv.Key).ToList();
            if (peers.Count > 0)
            {
                _network.Send(ClusterSimMessageKind.Push, LocalName, peers[_network.Random.Next(peers.Count)], Snapshot());
            }
        }

        List<string>? changed = null;
        foreach (var (name, entry) in _view)
        {
            if (name == LocalName)
            {
                continue;
            }

            var silence = now - entry.LastHeard;
            var next = entry.State switch
            {
                MemberState.Alive when silence > _network.Options.DeadAfter => MemberState.Dead,
                MemberState.Alive when silence > _network.Options.SuspectAfter => MemberState.Suspect,
                MemberState.Suspect when silence > _network.Options.DeadAfter => MemberState.Dead,
                _ => entry.State,
            };
            if (next != entry.State)
            {
                entry.State = next;
                (changed ??= []).Add(name);
            }
        }

        if (changed is not null)
        {
            foreach (var name in changed)
            {
                Raise(name);
            }
        }
    }

    public void Receive(ClusterSimMessage message)
    {
        var changed = new List<string>();
        foreach (var state in message.States)
        {
            if (state.Name == LocalName)
            {
                continue;
            }

            var direct = state.Name == message.From;
            if (!_view.TryGetValue(state.Name, out var entry))
            {
                if (state.State is MemberState.Dead or MemberState.Left && !direct)
                {
                    continue;
                }

                _view[state.Name] = new Entry
                {
                    State = message.Kind == ClusterSimMessageKind.Leave ? MemberState.Left : MemberState.Alive,
                    Incarnation = state.Incarnation,
                    Metadata = state.Metadata,
                    LastHeard = direct ? _network.Now : state.HeardAt,
                };
                changed.Add(state.Name);
                continue;
            }

            if (message.Kind == ClusterSimMessageKind.Leave)
            {
                if (entry.State != MemberState.Left && state.Incarnation >= entry.Incarnation)
                {
                    entry.State = MemberState.Left;
                    changed.Add(state.Name);
                }

                continue;
            }

            // Second-hand news only counts when it is newer than what we have and says the member is alive.
            if (!direct && (state.Incarnation <= entry.Incarnation || state.State is not (MemberState.Alive or MemberState.Suspect)))
            {
                continue;
            }

            if (direct && state.Incarnation < entry.Incarnation)
            {
                continue;
            }

            var isNew = state.Incarnation > entry.Incarnation || entry.State != MemberState.Alive;
            var heardAt = direct ? _network.Now : state.HeardAt;
            if (!direct && _network.Now - heardAt > _network.Options.DeadAfter)
            {
                continue;
            }

            entry.LastHeard = heardAt > entry.LastHeard ? heardAt : entry.LastHeard;
            if (isNew)
            {
                entry.Incarnation = state.Incarnation;
                entry.Metadata = state.Metadata;
                entry.State = MemberState.Alive;
                changed.Add(state.Name);
            }
        }

        if (message.Kind == ClusterSimMessageKind.Push)
        {
            _network.Send(ClusterSimMessageKind.Pull, LocalName, message.From, Snapshot());
        }

        foreach (var name in changed)
        {
            Raise(name);
        }
    }

    private ClusterSimState Own()
    {
        var self = _view[LocalName];
        return new ClusterSimState(LocalName, MemberState.Alive, self.Incarnation, self.Metadata, _network.Now);
    }

    private List<ClusterSimState> Snapshot() =>
        [.. _view.Select(kv => new ClusterSimState(kv.Key, kv.Value.State, kv.Value.Incarnation, kv.Value.Metadata, kv.Key == LocalName ? _network.Now : kv.Value.LastHeard))];

    private void Raise(string name)
    {
        var e = _view[name];
        Changed?.Invoke(new Member(name, _address, e.State, e.Incarnation, e.Metadata));
    }

    private sealed class Entry
    {
        public MemberState State { get; set; }

        public uint Incarnation { get; set; }

        public byte[] Metadata { get; set; } = [];

        public TimeSpan LastHeard { get; set; }
    }
}
