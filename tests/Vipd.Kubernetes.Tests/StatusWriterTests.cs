using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Vipd.Kubernetes.Allocation;
using Vipd.Kubernetes.Controller;
using Vipd.Kubernetes.Kube;
using Vipd.Kubernetes.Tests.Fakes;
using static Vipd.Kubernetes.Tests.Objects;

namespace Vipd.Kubernetes.Tests;

/// <summary>The allocator's writes against the fake API server: none starts once leadership is (nearly) gone.</summary>
public sealed class StatusWriterTests : IAsyncLifetime
{
    private readonly FakeKubeApi _api = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 5, 0, 0, TimeSpan.Zero));
    private KubeConnection? _connection;

    public async Task InitializeAsync()
    {
        await _api.StartAsync();
        _connection = KubeConnection.ForUri(_api.BaseUri);
    }

    public async Task DisposeAsync()
    {
        _connection?.Dispose();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task WriteAsync_LeadershipLostMidPass_LaterServicesNotWrittenAndReportedFailed()
    {
        var config = TestConfig();
        var services = new[] { Service("a", 1), Service("b", 2), Service("c", 3) };
        foreach (var s in services)
        {
            _api.Apply(s);
        }

        var views = services.Select(s => View(s)).ToList();
        var results = Allocator.Allocate(config, views);
        StatusWriter? writer = null;
        var patchesBefore = _api.StatusPatches.Count;

        // The lease is lost right after the first status patch: its Event and every later write are withheld.
        bool MayWrite() => writer!.Writes < 1;
        writer = new StatusWriter(new KubeApi(_connection!, _time), config, _time, NullLogger.Instance, MayWrite, () => MayWrite() ? TimeSpan.FromSeconds(5) : TimeSpan.Zero);
        var failed = await writer.WriteAsync(views, results, default);

        Assert.Equal(["default/a", "default/b", "default/c"], failed.Order(StringComparer.Ordinal));
        Assert.Equal(patchesBefore + 1, _api.StatusPatches.Count);
        Assert.Equal(1, writer.WritesWithheld);
        Assert.Empty(_api.Events);
        Assert.Null(_api.GetService("default", "b")!.Status?.LoadBalancer?.Ingress);
    }
}
