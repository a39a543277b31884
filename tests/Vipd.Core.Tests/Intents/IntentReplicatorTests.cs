using Vipd.Core.Intents;
using Vipd.Core.Tests.Simulation;
using static Vipd.Core.Tests.Intents.IntentTestVips;

namespace Vipd.Core.Tests.Intents;

/// <summary>One replicating node (n1) fed crafted messages by a raw peer (n2) over the real gossip.</summary>
public sealed class IntentReplicatorTests : IDisposable
{
    private static readonly IntentKey K8s = new(IntentKind.Source, "k8s");
    private readonly MembershipCluster _cluster;
    private readonly IntentStore _store;
    private readonly IntentReplicator _replicator;
    private readonly ErrorLogger _log = new();

    public IntentReplicatorTests()
    {
        _cluster = new MembershipCluster(4).AddNodes(2);
        _store = new IntentStore("n1", _cluster.Time, IntentOptions.Default with { MaxPartialEntries = 4 }, _log);
        _replicator = new IntentReplicator(_store, _cluster["n1"].Membership, _cluster.Time, new Random(1), _log);
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
    public void Receive_Malformed_DroppedAndCounted()
    {
        Inject([1, 9, 9, 9]);
        Inject([7, 1]);

        Assert.Equal(2, _replicator.Counters.Malformed);
        Assert.Empty(_store.Snapshot().Sources);
    }

    [Fact]
    public void Receive_OversizedEntry_DroppedAndCounted()
    {
        Inject(IntentMessageCodec.EncodeFragment(K8s, new IntentVersion(1, "n2"), null, IntentOptions.Default.MaxEntryBytes + 1, 0, [1]));

        Assert.Equal(1, _replicator.Counters.Oversized);
    }

    [Fact]
    public void Receive_WellFramedGarbageValue_InvalidAndNotMerged()
    {
        Inject(IntentMessageCodec.EncodeFragment(K8s, new IntentVersion(1, "n2"), null, 2, 0, [0xff, 0xff]));

        Assert.Equal(1, _replicator.Counters.Invalid);
        Assert.Empty(_store.DynamicVips);
    }

    [Fact]
    public void Receive_FragmentsShuffledAndDuplicated_Reassembled()
    {
        var value = IntentCodec.EncodeVips([.. Enumerable.Range(0, 80).Select(i => Vip($"v{i:D2}", $"198.51.100.{i + 1}/24"))]);
        var version = new IntentVersion(5, "n2");
        var fragments = new List<byte[]>();
        for (var offset = 0; offset < value.Length; offset += 500)
        {
            fragments.Add(IntentMessageCodec.EncodeFragment(K8s, version, null, value.Length, offset, value.AsSpan(offset, Math.Min(500, value.Length - offset))));
        }

        // Overlapping chunk, duplicates, reverse order.
        fragments.Add(IntentMessageCodec.EncodeFragment(K8s, version, null, value.Length, 250, value.AsSpan(250, 600)));
        fragments.Add(fragments[0]);
        fragments.Reverse();
        foreach (var fragment in fragments)
        {
            Inject(fragment);
        }

        Assert.Equal(80, _store.DynamicVips["k8s"].Count);
        Assert.Equal(version, _store.SourceVersion("k8s"));
        Assert.Equal(1, _replicator.Counters.EntriesAccepted);
        Assert.Equal(0, _replicator.Counters.Dropped);

        // A later write here outranks the merged version (Lamport clock lifted).
        Assert.True(_store.Apply("k8s", [Vip("x", "198.51.100.200/24")], false).Version > version);
    }

    [Fact]
    public void Receive_DigestWithPartialHere_RequestsOnlyMissingRanges()
    {
        var value = IntentCodec.EncodeVips([.. Enumerable.Range(0, 150).Select(i => Vip($"v{i:D3}", $"198.51.100.{i + 1}/24"))]);
        var version = new IntentVersion(9, "n2");
        Inject(IntentMessageCodec.EncodeFragment(K8s, version, null, value.Length, 0, value.AsSpan(0, 1000)));
        Inject(IntentMessageCodec.EncodeFragment(K8s, version, null, value.Length, 2000, value.AsSpan(2000, 500)));
        var answers = new List<IntentMessage>();
        _cluster["n2"].Membership.UserMessageReceived += (payload, _) => answers.Add(IntentMessageCodec.TryDecode(payload.Span)!);

        Inject(IntentMessageCodec.EncodeDigest(false, [(K8s, version)]));

        var want = Assert.Single(answers.OfType<IntentRequestMessage>().Single().Wants);
        Assert.Equal(version, want.Version);
        Assert.Equal([(1000, 1000), (2500, value.Length - 2500)], want.Ranges);
    }

    [Fact]
    public void Receive_RequestForRanges_SendsOnlyThoseBytes()
    {
        var vips = Enumerable.Range(0, 150).Select(i => Vip($"v{i:D3}", $"198.51.100.{i + 1}/24")).ToList();
        var version = _store.Apply("k8s", vips, replace: true).Version;
        _cluster.RunFor(TimeSpan.FromMilliseconds(50)); // the push of the whole entry
        var answers = new List<IntentFragmentMessage>();
        _cluster["n2"].Membership.UserMessageReceived += (payload, _) =>
        {
            if (IntentMessageCodec.TryDecode(payload.Span) is IntentFragmentMessage f)
            {
                answers.Add(f);
            }
        };

        Inject(IntentMessageCodec.EncodeRequest([new IntentWant(K8s, version, [(100, 50), (3000, 10)])]));

        Assert.Equal([(100, 50), (3000, 10)], answers.Select(f => (f.Offset, f.Chunk.Length)));
    }

    [Fact]
    public void Receive_RequestRepeatingOneKey_AnsweredOnce()
    {
        var vips = Enumerable.Range(0, 150).Select(i => Vip($"v{i:D3}", $"198.51.100.{i + 1}/24")).ToList();
        var version = _store.Apply("k8s", vips, replace: true).Version;
        _cluster.RunFor(TimeSpan.FromMilliseconds(50)); // the push of the whole entry
        var answers = new List<IntentFragmentMessage>();
        _cluster["n2"].Membership.UserMessageReceived += (payload, _) =>
        {
            if (IntentMessageCodec.TryDecode(payload.Span) is IntentFragmentMessage f)
            {
                answers.Add(f);
            }
        };

        Inject(IntentMessageCodec.EncodeRequest([.. Enumerable.Repeat(new IntentWant(K8s, version, [(100, 50)]), 40)]));

        Assert.Equal([(100, 50)], answers.Select(f => (f.Offset, f.Chunk.Length)));
    }

    [Fact]
    public void Receive_ManyPartialEntries_BoundedAndEvicted()
    {
        for (var i = 1; i <= 10; i++)
        {
            Inject(IntentMessageCodec.EncodeFragment(new IntentKey(IntentKind.Source, $"s{i}"), new IntentVersion(1, "n2"), null, 4000, 0, new byte[100]));
        }

        Assert.Equal(6, _replicator.Counters.Evicted);
        _cluster.RunFor(IntentOptions.Default.PartialTimeout + TimeSpan.FromSeconds(2));
        Assert.Equal(10, _replicator.Counters.Evicted);
    }

    [Fact]
    public void Receive_StaleVersion_Ignored()
    {
        var current = _store.Apply("k8s", [Vip("web", "192.0.2.10/24")], false).Version;
        var value = IntentCodec.EncodeVips([Vip("old", "192.0.2.11/24")]);

        Inject(IntentMessageCodec.EncodeFragment(K8s, new IntentVersion(current.Counter, "a"), null, value.Length, 0, value));

        Assert.Equal(["web"], _store.DynamicVips["k8s"].Select(v => v.Name));
        Assert.Equal(0, _replicator.Counters.EntriesAccepted);
    }

    [Fact]
    public void AntiEntropy_EmptyStore_SendsNoSummaries()
    {
        _cluster.RunFor(TimeSpan.FromSeconds(1)); // past the one summary n1 sends when it sees n2 become live
        var received = new List<byte[]>();
        _cluster["n2"].Membership.UserMessageReceived += (payload, _) => received.Add(payload.ToArray());

        _cluster.RunFor(TimeSpan.FromSeconds(5));

        Assert.Empty(received.Select(r => IntentMessageCodec.TryDecode(r)).OfType<IntentSummaryMessage>());
    }

    [Fact]
    public void AntiEntropy_StoreWithEntries_SendsSummaryEveryRound()
    {
        _store.SetPreference("web", "n2");
        _cluster.RunFor(TimeSpan.FromSeconds(1));
        var received = new List<byte[]>();
        _cluster["n2"].Membership.UserMessageReceived += (payload, _) => received.Add(payload.ToArray());

        _cluster.RunFor(TimeSpan.FromSeconds(5));

        // One round per AntiEntropyInterval (1 s, +-10 %), n2 being the only peer.
        var summaries = received.Select(r => IntentMessageCodec.TryDecode(r)).OfType<IntentSummaryMessage>().ToList();
        Assert.InRange(summaries.Count, 4, 6);
        Assert.All(summaries, m => Assert.Equal(1u, m.Count));
    }

    [Fact]
    public void Receive_Summary_AnsweredWithDigestWhenDifferent()
    {
        _store.SetPreference("web", "n2");
        var answers = new List<byte[]>();
        _cluster["n2"].Membership.UserMessageReceived += (payload, _) => answers.Add(payload.ToArray());

        Inject(IntentMessageCodec.EncodeSummary(0, 0));

        var digest = answers.Select(a => IntentMessageCodec.TryDecode(a)).OfType<IntentDigestMessage>().First();
        Assert.True(digest.WantsDigest);
        Assert.Equal(new IntentKey(IntentKind.Preference, "web"), Assert.Single(digest.Entries).Key);
    }

    [Fact]
    public void Receive_FuzzedMessages_NeverBreaksAndStillReplicates()
    {
        var random = new Random(17);
        var value = IntentCodec.EncodeVips([Vip("api", "192.0.2.11/24"), Vip("web", "192.0.2.10/24")]);
        var seeds = new[]
        {
            IntentMessageCodec.EncodeSummary(1, 1),
            IntentMessageCodec.EncodeDigest(true, [(K8s, new IntentVersion(3, "n2"))]),
            IntentMessageCodec.EncodeRequest([IntentWant.Whole(K8s)]),
            IntentMessageCodec.EncodeFragment(K8s, new IntentVersion(3, "n2"), null, value.Length, 0, value),
        };
        for (var i = 0; i < 2000; i++)
        {
            var bytes = (byte[])seeds[random.Next(seeds.Length)].Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            _cluster["n2"].Membership.SendUserMessage(bytes, _cluster["n1"].Endpoint);
            if (i % 100 == 0)
            {
                _cluster.RunFor(TimeSpan.FromMilliseconds(5));
            }
        }

        _cluster.RunFor(TimeSpan.FromMilliseconds(50));
        Assert.Empty(_log.Errors);
        Assert.True(_replicator.Counters.Dropped > 0);
        foreach (var source in _store.Snapshot().Sources)
        {
            Assert.True(IntentCodec.TryDecodeVips(IntentCodec.EncodeVips(source.Vips), out _));
        }

        // Still working: a real entry is taken (a new source: fuzzing may have produced a valid k8s with a huge version).
        Inject(IntentMessageCodec.EncodeFragment(new IntentKey(IntentKind.Source, "final"), new IntentVersion(1, "n2"), null, value.Length, 0, value));
        Assert.True(_store.DynamicVips.ContainsKey("final"), $"received {_replicator.Counters.MessagesReceived}, accepted {_replicator.Counters.EntriesAccepted}, invalid {_replicator.Counters.Invalid}, malformed {_replicator.Counters.Malformed}, evicted {_replicator.Counters.Evicted}, drops {string.Join(",", _cluster["n1"].Membership.Drops.Snapshot())}, entries {_store.Snapshot().Sources.Count}");
        Assert.Equal(["api", "web"], _store.DynamicVips["final"].Select(v => v.Name));
    }

    private void Inject(byte[] payload)
    {
        _cluster["n2"].Membership.SendUserMessage(payload, _cluster["n1"].Endpoint);
        _cluster.RunFor(TimeSpan.FromMilliseconds(10));
    }
}
