using Vipd.Core.Intents;
using Vipd.Core.Tests.Simulation;
using static Vipd.Core.Tests.Intents.IntentTestVips;

namespace Vipd.Core.Tests.Intents;

/// <summary>Reassembly budgets per sending address: n2 floods partial entries at n1 while n3 sends an honest one in two fragments.</summary>
public sealed class IntentReassemblyBudgetTests : IDisposable
{
    private readonly MembershipCluster _cluster;
    private readonly IntentStore _store;
    private readonly IntentReplicator _replicator;

    public IntentReassemblyBudgetTests()
    {
        _cluster = new MembershipCluster(5).AddNodes(3);
        _store = new IntentStore("n1", _cluster.Time, IntentOptions.Default, new ErrorLogger());
        _replicator = new IntentReplicator(_store, _cluster["n1"].Membership, _cluster.Time, new Random(1), new ErrorLogger());
        _cluster.StartAll();
        _replicator.Start();
        Assert.True(_cluster.RunUntil(() => _cluster.Converged(), TimeSpan.FromSeconds(5)));
    }

    public void Dispose()
    {
        _replicator.Dispose();
        _cluster.Dispose();
    }

    [Fact]
    public void Receive_FloodOfPartialsFromOnePeer_AnotherPeersPartialSurvives()
    {
        var key = new IntentKey(IntentKind.Source, "honest");
        var version = new IntentVersion(1, "n3");
        var value = IntentCodec.EncodeVips([Vip("web", "192.0.2.10/24")]);
        var half = value.Length / 2;
        Inject("n3", IntentMessageCodec.EncodeFragment(key, version, null, value.Length, 0, value.AsSpan(0, half)));

        // More partial entries than the global budget (16), all from n2, none ever completed.
        for (var i = 1; i <= 2 * IntentOptions.Default.MaxPartialEntries; i++)
        {
            Inject("n2", IntentMessageCodec.EncodeFragment(new IntentKey(IntentKind.Source, $"s{i}"), new IntentVersion(1, "n2"), null, 4000, 0, new byte[100]));
        }

        Inject("n3", IntentMessageCodec.EncodeFragment(key, version, null, value.Length, half, value.AsSpan(half)));

        Assert.Equal(["web"], _store.DynamicVips["honest"].Select(v => v.Name));
        // n2 kept only its own budget: every partial beyond it evicted one of its own.
        Assert.Equal((2 * IntentOptions.Default.MaxPartialEntries) - IntentOptions.Default.MaxPartialEntriesPerSender, _replicator.Counters.Evicted);
    }

    [Fact]
    public void Receive_PartialsOverTheSendersBytes_OwnOldestEvicted()
    {
        var size = IntentOptions.Default.MaxEntryBytes;
        for (var i = 1; i <= 3; i++)
        {
            Inject("n2", IntentMessageCodec.EncodeFragment(new IntentKey(IntentKind.Source, $"big{i}"), new IntentVersion(1, "n2"), null, size, 0, new byte[100]));
        }

        // 512 KiB per sender holds two 256 KiB partials: the third evicts the first.
        Assert.Equal(1, _replicator.Counters.Evicted);
    }

    private void Inject(string from, ReadOnlySpan<byte> payload)
    {
        _cluster[from].Membership.SendUserMessage(payload, _cluster["n1"].Endpoint);
        _cluster.RunFor(TimeSpan.FromMilliseconds(10));
    }
}
