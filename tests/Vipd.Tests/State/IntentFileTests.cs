using Microsoft.Extensions.Time.Testing;
using Vipd.Core.Intents;
using Vipd.State;

namespace Vipd.Tests.State;

public sealed class IntentFileTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"vipd-intents-{Environment.ProcessId}-{Guid.NewGuid():N}");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero));

    private string FilePath => IntentFile.PathIn(_directory);

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static DynamicVip Vip(string name, string cidr, string? iface = null)
    {
        Assert.True(IntentValidation.TryCreateVip(name, cidr, iface, ["n1", "n2"], false, TimeSpan.FromSeconds(5), 150,
            [new("n2", 200)], out var vip, out var errors), string.Join("; ", errors));
        return vip!;
    }

    private IntentStore FilledStore()
    {
        var store = new IntentStore("n1", _time);
        store.Apply("k8s", [Vip("web", "192.0.2.10/24", "eth1"), Vip("v6", "2001:db8::10/64")], replace: false);
        store.Apply("gone", [Vip("db", "192.0.2.20/24")], replace: false);
        store.Remove("gone", [], all: true);
        store.SetPreference("web", "n2");
        store.SetPreference("v6", "n1");
        store.SetPreference("v6", null);
        return store;
    }

    [Fact]
    public void Load_AfterSave_SameState()
    {
        var store = FilledStore();
        IntentFile.Save(FilePath, store.Snapshot());

        var load = IntentFile.Load(FilePath, _time);
        var restored = new IntentStore("n1", _time);
        Assert.Equal(0, restored.Load(load.Snapshot));

        Assert.Null(load.Error);
        Assert.Equal(0, load.Skipped);
        Assert.Equal(store.DynamicVips["k8s"], restored.DynamicVips["k8s"]);
        Assert.Equal(store.Preferences, restored.Preferences);
        Assert.Equal(store.Snapshot().Sources.Select(s => (s.Source, s.Version, s.DeletedAt)), restored.Snapshot().Sources.Select(s => (s.Source, s.Version, s.DeletedAt)));
        Assert.Equal(store.Snapshot().Clock, restored.Snapshot().Clock);
        Assert.False(File.Exists(FilePath + ".tmp"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(FilePath));
        }
    }

    [Fact]
    public void Load_Missing_EmptyWithoutError()
    {
        var load = IntentFile.Load(FilePath, _time);

        Assert.Same(IntentSnapshot.Empty, load.Snapshot);
        Assert.Null(load.Error);
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("{\"format\": 99, \"clock\": 1, \"sources\": [], \"preferences\": []}")]
    [InlineData("null")]
    [InlineData("")]
    public void Load_Corrupt_MovedAsideAndEmpty(string content)
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(FilePath, content);

        var load = IntentFile.Load(FilePath, _time);

        Assert.NotNull(load.Error);
        Assert.Same(IntentSnapshot.Empty, load.Snapshot);
        Assert.False(File.Exists(FilePath));
        Assert.Equal(FilePath + ".corrupt-20261126T000000Z", load.MovedTo);
        Assert.Equal(content, File.ReadAllText(load.MovedTo!));
    }

    [Fact]
    public void Load_InvalidVip_SourceSkippedRestLoaded()
    {
        var store = FilledStore();
        IntentFile.Save(FilePath, store.Snapshot());
        File.WriteAllText(FilePath, File.ReadAllText(FilePath).Replace("192.0.2.10/24", "127.0.0.1/8", StringComparison.Ordinal));

        var load = IntentFile.Load(FilePath, _time);

        Assert.Equal(1, load.Skipped);
        Assert.DoesNotContain(load.Snapshot.Sources, s => s.Source == "k8s");
        Assert.Contains(load.Snapshot.Sources, s => s.Source == "gone");
        Assert.Equal(2, load.Snapshot.Preferences.Count);
    }

    [Fact]
    public void Persister_Change_WrittenAfterDelayAndOnDispose()
    {
        var store = new IntentStore("n1", _time);
        var persister = new IntentPersister(store, FilePath, _time);

        store.SetPreference("web", "n2");
        store.SetPreference("api", "n3");
        Assert.False(File.Exists(FilePath));
        _time.Advance(IntentPersister.Delay);
        Assert.Equal(1, persister.Saves);
        Assert.Equal(2, IntentFile.Load(FilePath, _time).Snapshot.Preferences.Count);

        store.SetPreference("db", "n1");
        persister.Dispose();
        Assert.Equal(2, persister.Saves);
        Assert.Equal(3, IntentFile.Load(FilePath, _time).Snapshot.Preferences.Count);
    }

    [Fact]
    public void Persister_Unwritable_LogsAndCarriesOn()
    {
        Directory.CreateDirectory(_directory);
        var blocker = Path.Combine(_directory, "not-a-directory");
        File.WriteAllText(blocker, "x");
        var store = new IntentStore("n1", _time);
        using var persister = new IntentPersister(store, Path.Combine(blocker, IntentFile.FileName), _time);

        store.SetPreference("web", "n2");
        _time.Advance(IntentPersister.Delay);

        Assert.Equal(0, persister.Saves);
        Assert.False(persister.SaveNow());
    }
}
