using System.Net;
using Microsoft.Extensions.Time.Testing;
using Vipd.Core.Intents;
using static Vipd.Core.Tests.Intents.IntentTestVips;

namespace Vipd.Core.Tests.Intents;

public sealed class IntentStoreTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private IntentStore NewStore(string node = "n1") => new(node, _time);

    [Fact]
    public void Apply_NewSource_AddsAndVersions()
    {
        var store = NewStore();
        var result = store.Apply("k8s", [Vip("web", "192.0.2.10/24"), Vip("api", "192.0.2.11/24")], replace: false);

        Assert.Equal(["api", "web"], result.Added);
        Assert.Empty(result.Changed);
        Assert.Empty(result.Removed);
        Assert.Equal(new IntentVersion((ulong)_time.GetUtcNow().ToUnixTimeMilliseconds(), "n1"), result.Version);
        Assert.Equal(["api", "web"], store.DynamicVips["k8s"].Select(v => v.Name));
    }

    [Fact]
    public void Apply_SameSetAgain_UnchangedAndSameVersion()
    {
        var store = NewStore();
        var first = store.Apply("k8s", [Vip("web", "192.0.2.10/24")], replace: false);
        var changes = 0;
        store.Changed += _ => changes++;

        var result = store.Apply("k8s", [Vip("web", "192.0.2.10/24")], replace: true);

        Assert.Equal(["web"], result.Unchanged);
        Assert.Equal(first.Version, result.Version);
        Assert.Equal(0, changes);
    }

    [Fact]
    public void Apply_Replace_RemovesOthersAndReportsChanged()
    {
        var store = NewStore();
        var first = store.Apply("k8s", [Vip("web", "192.0.2.10/24"), Vip("api", "192.0.2.11/24")], replace: false);

        var result = store.Apply("k8s", [Vip("web", "192.0.2.10/24", priority: 200)], replace: true);

        Assert.Equal(["web"], result.Changed);
        Assert.Equal(["api"], result.Removed);
        Assert.Equal(first.Version.Counter + 1, result.Version.Counter);
        Assert.Equal(200, store.DynamicVips["k8s"].Single().Priority);
    }

    [Fact]
    public void Apply_Merge_KeepsOtherVips()
    {
        var store = NewStore();
        store.Apply("k8s", [Vip("web", "192.0.2.10/24")], replace: false);

        store.Apply("k8s", [Vip("api", "192.0.2.11/24")], replace: false);

        Assert.Equal(["api", "web"], store.DynamicVips["k8s"].Select(v => v.Name));
    }

    [Fact]
    public void Apply_NameOfAnotherSource_FailedPrecondition()
    {
        var store = NewStore();
        store.Apply("a", [Vip("web", "192.0.2.10/24")], replace: false);

        var ex = Assert.Throws<IntentException>(() => store.Apply("b", [Vip("web", "192.0.2.20/24")], replace: false));
        Assert.Equal(IntentError.FailedPrecondition, ex.Error);
        Assert.Contains("source 'a'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_AddressOfConfigVip_FailedPrecondition()
    {
        var store = NewStore();
        store.SetReserved(["cfg"], [IPAddress.Parse("192.0.2.99")]);

        Assert.Equal(IntentError.FailedPrecondition, Assert.Throws<IntentException>(() => store.Apply("a", [Vip("x", "192.0.2.99/24")], false)).Error);
        Assert.Equal(IntentError.FailedPrecondition, Assert.Throws<IntentException>(() => store.Apply("a", [Vip("cfg", "192.0.2.98/24")], false)).Error);
    }

    [Theory]
    [InlineData("config")]
    [InlineData("")]
    [InlineData("-bad")]
    [InlineData("has space")]
    public void Apply_BadSource_InvalidArgument(string source)
    {
        var ex = Assert.Throws<IntentException>(() => NewStore().Apply(source, [Vip("web", "192.0.2.10/24")], false));
        Assert.Equal(IntentError.InvalidArgument, ex.Error);
    }

    [Fact]
    public void Apply_DuplicateNames_InvalidArgument()
    {
        var ex = Assert.Throws<IntentException>(() => NewStore().Apply("a", [Vip("web", "192.0.2.10/24"), Vip("web", "192.0.2.11/24")], false));
        Assert.Equal(IntentError.InvalidArgument, ex.Error);
    }

    [Fact]
    public void Remove_Names_RemovesAndReportsNotFound()
    {
        var store = NewStore();
        var first = store.Apply("k8s", [Vip("web", "192.0.2.10/24"), Vip("api", "192.0.2.11/24")], replace: false);
        _time.Advance(TimeSpan.FromSeconds(1));

        var result = store.Remove("k8s", ["web", "nope"], all: false);

        Assert.Equal(["web"], result.Removed);
        Assert.Equal(["nope"], result.NotFound);
        Assert.Equal(first.Version.Counter + 1000, result.Version.Counter);
        Assert.Equal(["api"], store.DynamicVips["k8s"].Select(v => v.Name));
    }

    [Fact]
    public void Remove_All_LeavesTombstone()
    {
        var store = NewStore();
        store.Apply("k8s", [Vip("web", "192.0.2.10/24")], replace: false);

        var result = store.Remove("k8s", [], all: true);

        Assert.Equal(["web"], result.Removed);
        Assert.False(store.DynamicVips.ContainsKey("k8s"));
        var tombstone = Assert.Single(store.Snapshot().Sources);
        Assert.NotNull(tombstone.DeletedAt);
        Assert.Equal(result.Version, tombstone.Version);
    }

    [Fact]
    public void Remove_UnknownSource_NotFound()
    {
        Assert.Equal(IntentError.NotFound, Assert.Throws<IntentException>(() => NewStore().Remove("k8s", [], all: true)).Error);
    }

    [Fact]
    public void Remove_NamesAndAll_InvalidArgument()
    {
        var store = NewStore();
        store.Apply("k8s", [Vip("web", "192.0.2.10/24")], replace: false);
        Assert.Equal(IntentError.InvalidArgument, Assert.Throws<IntentException>(() => store.Remove("k8s", ["web"], all: true)).Error);
        Assert.Equal(IntentError.InvalidArgument, Assert.Throws<IntentException>(() => store.Remove("k8s", [], all: false)).Error);
    }

    [Fact]
    public void Tombstone_AfterLifetime_Purged()
    {
        var store = NewStore();
        store.Apply("k8s", [Vip("web", "192.0.2.10/24")], replace: false);
        store.Remove("k8s", [], all: true);

        _time.Advance(IntentOptions.Default.TombstoneLifetime);

        Assert.Empty(store.Snapshot().Sources);
    }

    [Fact]
    public void SetPreference_SetAndClear_ReturnsPreviousAndRaises()
    {
        var store = NewStore();
        var changes = new List<IntentChange>();
        store.Changed += changes.Add;

        Assert.Null(store.SetPreference("web", "n2"));
        Assert.Equal("n2", store.SetPreference("web", "n3"));
        Assert.Equal("n3", store.SetPreference("web", null));
        Assert.Null(store.SetPreference("web", null));

        Assert.Empty(store.Preferences);
        Assert.Equal(3, changes.Count);
        Assert.All(changes, c => Assert.True(c.Local));
        Assert.Equal([null, "n2", "n3"], changes.Select(c => c.PreviousNode));
        Assert.Equal(["n2", "n3", null], changes.Select(c => c.Node));
    }

    [Fact]
    public void Changed_RaisedOutsideLock_HandlerMayCallBack()
    {
        var store = NewStore();
        int? seen = null;
        store.Changed += _ => seen = store.DynamicVips.Count;

        store.Apply("k8s", [Vip("web", "192.0.2.10/24")], replace: false);

        Assert.Equal(1, seen);
    }

    [Fact]
    public void Load_Snapshot_RestoresStateAndClock()
    {
        var first = NewStore();
        first.Apply("k8s", [Vip("web", "192.0.2.10/24")], replace: false);
        first.SetPreference("web", "n2");
        first.Apply("other", [Vip("db", "2001:db8::10/64")], replace: false);
        first.Remove("other", [], all: true);

        var second = NewStore();
        Assert.Equal(0, second.Load(first.Snapshot()));

        Assert.Equal(first.Snapshot(), second.Snapshot(), SnapshotComparer.Instance);
        Assert.Equal(first.Snapshot().Clock + 1, second.Apply("k8s", [Vip("api", "192.0.2.11/24")], false).Version.Counter);
    }

    [Fact]
    public void Apply_AfterRestartWithoutFile_OutranksOlderWrite()
    {
        var old = NewStore("n2");
        var oldVersion = old.Apply("k8s", [Vip("web", "192.0.2.10/24")], false).Version;
        _time.Advance(TimeSpan.FromSeconds(5));

        // A node whose file was lost starts at clock 0, yet its new write wins over the older one.
        var fresh = NewStore("n1");
        var version = fresh.Apply("k8s", [Vip("api", "192.0.2.11/24")], false).Version;

        Assert.True(version > oldVersion);
    }

    [Fact]
    public void Apply_BeyondMaxEntries_FailedPrecondition()
    {
        var store = new IntentStore("n1", _time, IntentOptions.Default with { MaxEntries = 2 });
        store.Apply("a", [Vip("web", "192.0.2.10/24")], false);
        store.SetPreference("web", "n2");

        Assert.Equal(IntentError.FailedPrecondition, Assert.Throws<IntentException>(() => store.Apply("b", [Vip("db", "192.0.2.11/24")], false)).Error);
        Assert.Equal(IntentError.FailedPrecondition, Assert.Throws<IntentException>(() => store.SetPreference("db", "n2")).Error);
        store.Apply("a", [Vip("db", "192.0.2.11/24")], false);
        store.SetPreference("web", "n3");
        Assert.Equal(IntentMergeProbe.Invalid, IntentMergeProbe.MergeNewPreference(store, "other"));
    }

    [Fact]
    public void Merge_CounterFarBeyondTheWallClock_RefusedAndTheEntryNotFrozen()
    {
        var store = new IntentStore("n1", _time, IntentOptions.Default);
        var now = (ulong)_time.GetUtcNow().ToUnixTimeMilliseconds();

        // A key holder's version near the top of the counter would outrank every later write, ours included.
        Assert.Equal(IntentMergeProbe.Invalid, IntentMergeProbe.MergePreference(store, "web", ulong.MaxValue - 1));
        Assert.Equal(IntentMergeProbe.Invalid, IntentMergeProbe.MergePreference(store, "web", now + (ulong)TimeSpan.FromDays(2).TotalMilliseconds));
        Assert.Equal("Accepted", IntentMergeProbe.MergePreference(store, "web", now + (ulong)TimeSpan.FromHours(1).TotalMilliseconds));

        // The entry stays writable: a local write outranks what was accepted.
        store.SetPreference("web", "n2");
        Assert.Equal("n2", store.Preferences["web"]);
    }

    [Fact]
    public void EffectiveVips_Conflicts_FirstSourceWinsAndConfigReserved()
    {
        var sources = new Dictionary<string, IReadOnlyList<DynamicVip>>
        {
            ["b"] = [Vip("web", "192.0.2.10/24"), Vip("db", "192.0.2.30/24")],
            ["a"] = [Vip("web", "192.0.2.20/24"), Vip("cfg", "192.0.2.40/24")],
        };

        var result = IntentStore.Resolve(sources, new HashSet<string> { "cfg" }, new HashSet<IPAddress>());

        Assert.Equal(["a/web", "b/db"], result.Select(r => $"{r.Source}/{r.Vip.Name}"));
    }
}
