using Microsoft.Extensions.Time.Testing;

namespace Vipd.Core.Tests.Simulation;

/// <summary>
/// The in-memory network of the gossip model: seeded loss, delay (hence reorder) and duplication, partitions into
/// groups (checked at delivery), and the event loop that moves a <see cref="FakeTimeProvider"/> from one event to the
/// next so the cluster's own timers fire at their exact times.
/// </summary>
internal sealed class ClusterSimGossip
{
    private readonly PriorityQueue<ClusterSimMessage, (long Due, long Seq)> _queue = new();
    private readonly Dictionary<string, ClusterSimMembership> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _groups = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _start;
    private long _seq;
    private TimeSpan _nextTick;

    public ClusterSimGossip(FakeTimeProvider time, Random random, ClusterSimOptions options)
    {
        Time = time;
        Random = random;
        Options = options;
        _start = time.GetUtcNow();
    }

    public FakeTimeProvider Time { get; }

    public Random Random { get; }

    public ClusterSimOptions Options { get; }

    public TimeSpan Now => Time.GetUtcNow() - _start;

    public long Sent { get; private set; }

    public long Dropped { get; private set; }

    /// <summary>Called after every tick and every delivery, with the time: the harness checks invariants here.</summary>
    public Action? AfterEvent { get; set; }

    /// <summary>Called on every tick before the nodes' own ticks.</summary>
    public Action? OnTick { get; set; }

    public void Attach(ClusterSimMembership node) => _nodes[node.LocalName] = node;

    public void Detach(string name) => _nodes.Remove(name);

    public bool IsUp(string name) => _nodes.ContainsKey(name);

    public int GroupOf(string name) => _groups.GetValueOrDefault(name);

    public bool Reachable(string a, string b) => GroupOf(a) == GroupOf(b);

    /// <summary>Splits the nodes: each gets the group number given (nodes not listed: group 0).</summary>
    public void Partition(IReadOnlyDictionary<string, int> groups)
    {
        _groups.Clear();
        foreach (var (name, group) in groups)
        {
            _groups[name] = group;
        }
    }

    public void Heal() => _groups.Clear();

    public void Broadcast(ClusterSimMessageKind kind, string from, IReadOnlyList<ClusterSimState> states)
    {
        foreach (var to in _nodes.Keys)
        {
            if (to != from)
            {
                Send(kind, from, to, states);
            }
        }
    }

    public void Send(ClusterSimMessageKind kind, string from, string to, IReadOnlyList<ClusterSimState> states)
    {
        Sent++;
        if (Options.LossRate > 0 && Random.NextDouble() < Options.LossRate)
        {
            Dropped++;
            return;
        }

        var message = new ClusterSimMessage(kind, from, to, states);
        Enqueue(message);
        if (Options.DuplicateRate > 0 && Random.NextDouble() < Options.DuplicateRate)
        {
            Enqueue(message);
        }
    }

    /// <summary>Runs the cluster until <paramref name="until"/> (time since the start of the simulation).</summary>
    public void RunUntil(TimeSpan until)
    {
        while (true)
        {
            var next = _nextTick;
            var isTick = true;
            if (_queue.TryPeek(out _, out var due) && due.Due < next.Ticks)
            {
                next = TimeSpan.FromTicks(due.Due);
                isTick = false;
            }

            if (next > until)
            {
                if (until > Now)
                {
                    Time.Advance(until - Now);
                }

                return;
            }

            if (next > Now)
            {
                Time.Advance(next - Now); // fires the ClusterNodes' timers due on the way
            }

            if (isTick)
            {
                _nextTick = next + Options.Tick;
                OnTick?.Invoke();
                foreach (var node in _nodes.Values.ToList())
                {
                    if (_nodes.ContainsKey(node.LocalName))
                    {
                        node.Tick();
                    }
                }
            }
            else
            {
                var message = _queue.Dequeue();
                if (_nodes.TryGetValue(message.To, out var node) && Reachable(message.From, message.To))
                {
                    node.Receive(message);
                }
            }

            AfterEvent?.Invoke();
        }
    }

    private void Enqueue(ClusterSimMessage message)
    {
        var delay = Options.MinDelay + TimeSpan.FromTicks((long)(Random.NextDouble() * (Options.MaxDelay - Options.MinDelay).Ticks));
        _queue.Enqueue(message, ((Now + delay).Ticks, _seq++));
    }
}
