using Vipd.Core.Intents;
using Vipd.Core.Tests.Simulation;

namespace Vipd.Core.Tests.Intents;

/// <summary>
/// A <see cref="MembershipCluster"/> (real SWIM over the simulated network, virtual time) with an
/// <see cref="IntentStore"/> and an <see cref="IntentReplicator"/> on every node.
/// </summary>
internal sealed class IntentCluster : IDisposable
{
    private readonly Dictionary<string, (IntentStore Store, IntentReplicator Replicator)> _intents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _bytesBefore = new(StringComparer.Ordinal);
    private int _replicas;

    public IntentCluster(int seed, int nodes, IntentOptions? options = null)
    {
        Options = options ?? IntentOptions.Default;
        Cluster = new MembershipCluster(seed).AddNodes(nodes);
        Cluster.Step = TimeSpan.FromMilliseconds(nodes > 20 ? 2 : 1);
        foreach (var node in Cluster.Nodes)
        {
            Attach(node, IntentSnapshot.Empty);
        }
    }

    public MembershipCluster Cluster { get; }

    public IntentOptions Options { get; }

    public IReadOnlyList<string> Names => [.. Cluster.Nodes.Select(n => n.Name)];

    public IntentStore Store(string node) => _intents[node].Store;

    public IntentReplicator Replicator(string node) => _intents[node].Replicator;

    /// <summary>Replication payload bytes sent by every node so far.</summary>
    public long ReplicationBytes => _intents.Values.Sum(i => i.Replicator.Counters.BytesSent) + _bytesBefore.Values.Sum();

    /// <summary>Replication messages (one sealed datagram each) sent by the running nodes.</summary>
    public long ReplicationMessages => _intents.Values.Sum(i => i.Replicator.Counters.MessagesSent);

    public long Drops => _intents.Values.Sum(i => i.Replicator.Counters.Dropped);

    public void StartAll()
    {
        Cluster.StartAll();
        foreach (var (_, replicator) in _intents.Values)
        {
            replicator.Start();
        }
    }

    /// <summary>True when every running node holds the same entries (tombstones included).</summary>
    public bool Converged(IEnumerable<string>? names = null)
    {
        string? first = null;
        foreach (var name in names ?? Cluster.Nodes.Where(n => n.Running).Select(n => n.Name))
        {
            var text = SnapshotComparer.Describe(_intents[name].Store.Snapshot());
            if (first is null)
            {
                first = text;
            }
            else if (text != first)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Kills a node (its store stays readable, as its persisted file would).</summary>
    public void Crash(string name)
    {
        _bytesBefore[$"{name}#{++_replicas}"] = _intents[name].Replicator.Counters.BytesSent;
        _intents[name].Replicator.Dispose();
        Cluster[name].Crash();
    }

    /// <summary>Starts a new process for <paramref name="name"/> that loads <paramref name="persisted"/> (its intents.json).</summary>
    public void Restart(string name, IntentSnapshot persisted)
    {
        var node = Cluster[name];
        node.Restart();
        Attach(node, persisted);
        _intents[name].Replicator.Start();
    }

    public string Describe() =>
        string.Join("\n---\n", _intents.Select(i => $"{i.Key}:\n{SnapshotComparer.Describe(i.Value.Store.Snapshot())}"));

    public void Dispose()
    {
        foreach (var (_, replicator) in _intents.Values)
        {
            replicator.Dispose();
        }

        Cluster.Dispose();
    }

    private void Attach(MembershipCluster.ClusterNode node, IntentSnapshot persisted)
    {
        var store = new IntentStore(node.Name, Cluster.Time, Options);
        store.Load(persisted);
        var random = new Random(unchecked((Cluster.Seed * 31) + node.Name.Sum(c => c) + (++_replicas * 7)));
        _intents[node.Name] = (store, new IntentReplicator(store, node.Membership, Cluster.Time, random));
    }
}
