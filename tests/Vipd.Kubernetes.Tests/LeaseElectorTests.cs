using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Vipd.Kubernetes.Config;
using Vipd.Kubernetes.Kube;
using Vipd.Kubernetes.Tests.Fakes;

namespace Vipd.Kubernetes.Tests;

/// <summary>The lease rounds driven one by one on a fake clock, against the fake API server.</summary>
public sealed class LeaseElectorTests : IAsyncLifetime
{
    private static readonly LeaseConfig Lease = new()
    {
        Namespace = "kube-system",
        Name = "vipd-k8s",
        Duration = TimeSpan.FromSeconds(15),
        RenewDeadline = TimeSpan.FromSeconds(10),
        RetryPeriod = TimeSpan.FromSeconds(2),
    };

    private readonly FakeKubeApi _api = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 23, 0, 0, TimeSpan.Zero));
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

    private LeaseElector Elector(string identity) =>
        new(new KubeApi(_connection!, _time), Lease, identity, _time, NullLogger.Instance, () => { });

    [Fact]
    public async Task Elector_HolderStopsRenewing_StepsDownBeforeAnotherTakesOver()
    {
        var n1 = Elector("n1");
        var n2 = Elector("n2");

        await n1.TryAcquireOrRenewAsync(default);
        await n2.TryAcquireOrRenewAsync(default);
        Assert.True(n1.IsLeader);
        Assert.False(n2.IsLeader);
        var lease = _api.GetLease("kube-system", "vipd-k8s")!;
        Assert.Equal("n1", lease.Spec.HolderIdentity);
        Assert.Equal(15, lease.Spec.LeaseDurationSeconds);
        Assert.Equal("2026-11-25T23:00:00.000000Z", lease.Spec.RenewTime);

        // n1 renews for a while; n2 keeps seeing fresh renewals and stays a follower.
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(Lease.RetryPeriod);
            await n1.TryAcquireOrRenewAsync(default);
            await n2.TryAcquireOrRenewAsync(default);
            Assert.True(n1.IsLeader);
            Assert.False(n2.IsLeader);
        }

        // n1 stops renewing (cut off from the API server). After the renew deadline it no longer allocates...
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(n1.IsLeader);
        await n2.TryAcquireOrRenewAsync(default);
        Assert.False(n2.IsLeader);

        // ...and only after a whole lease duration without a change may n2 take over.
        _time.Advance(TimeSpan.FromSeconds(5));
        await n2.TryAcquireOrRenewAsync(default);
        Assert.False(n2.IsLeader);
        _time.Advance(TimeSpan.FromSeconds(1));
        await n2.TryAcquireOrRenewAsync(default);
        Assert.True(n2.IsLeader);
        Assert.Equal(1, _api.GetLease("kube-system", "vipd-k8s")!.Spec.LeaseTransitions);

        // n1 comes back: the lease is n2's now.
        await n1.TryAcquireOrRenewAsync(default);
        Assert.False(n1.IsLeader);
        Assert.Equal("n2", _api.GetLease("kube-system", "vipd-k8s")!.Spec.HolderIdentity);
    }

    [Fact]
    public async Task Elector_StaleWrite_ConflictLosesTheRace()
    {
        var n1 = Elector("n1");
        await n1.TryAcquireOrRenewAsync(default);
        var stale = _api.GetLease("kube-system", "vipd-k8s")!;
        _time.Advance(Lease.RetryPeriod);
        await n1.TryAcquireOrRenewAsync(default);

        // A write at the old resourceVersion (what a second candidate racing n1 would send) is refused.
        stale.Spec.HolderIdentity = "n2";
        var api = new KubeApi(_connection!, _time);
        var e = await Assert.ThrowsAsync<KubeApiException>(() => api.ReplaceLeaseAsync(stale, default));

        Assert.True(e.IsConflict);
        Assert.Equal("n1", _api.GetLease("kube-system", "vipd-k8s")!.Spec.HolderIdentity);
    }

    [Fact]
    public async Task Elector_RenewalAnswerDelayed_NeverTwoLeaders()
    {
        // The API server stores n1's renewal at once but its answer takes 9 s. n2 sees the renewed record meanwhile
        // and counts the lease duration from then. n1 must count its renew deadline from when the renewal left, or
        // it would believe it leads until 19 s while n2 takes over at 16 s.
        var n1 = Elector("n1");
        var n2 = Elector("n2");
        await n1.TryAcquireOrRenewAsync(default);
        Assert.True(n1.IsLeader);
        var overlaps = new List<TimeSpan>();
        var start = _time.GetUtcNow();
        async Task StepAsync(TimeSpan by, bool n2Round)
        {
            _time.Advance(by);
            if (n2Round)
            {
                await n2.TryAcquireOrRenewAsync(default);
            }

            if (n1.IsLeader && n2.IsLeader)
            {
                overlaps.Add(_time.GetUtcNow() - start);
            }
        }

        _time.Advance(Lease.RetryPeriod);
        start = _time.GetUtcNow();
        var delayed = false;
        _api.LeaseWriteStored = async holder =>
        {
            if (holder != "n1" || delayed)
            {
                return;
            }

            delayed = true;
            await n2.TryAcquireOrRenewAsync(default);
            for (var i = 0; i < 9; i++)
            {
                await StepAsync(TimeSpan.FromSeconds(1), n2Round: i % 2 == 1);
            }
        };
        await n1.TryAcquireOrRenewAsync(default);
        Assert.True(delayed);

        // n1 is cut off from the API server now; n2 keeps trying every retry period until it holds the lease.
        for (var i = 0; i < 40 && !n2.IsLeader; i++)
        {
            await StepAsync(TimeSpan.FromSeconds(0.5), n2Round: i % 4 == 3);
        }

        Assert.True(n2.IsLeader);
        Assert.False(n1.IsLeader);
        Assert.Empty(overlaps);
        Assert.Equal(0, n1.LeadershipLeft.Ticks);
    }

    [Fact]
    public async Task Elector_NearTheRenewDeadline_NotLeaderForNewWrites()
    {
        var n1 = Elector("n1");
        await n1.TryAcquireOrRenewAsync(default);
        _time.Advance(Lease.RenewDeadline - TimeSpan.FromSeconds(1.5));
        Assert.True(n1.IsLeader);
        Assert.Equal(TimeSpan.FromSeconds(1.5), n1.LeadershipLeft);

        // Within the write margin (1 s) of the deadline: no new write may start, although the deadline has not passed.
        _time.Advance(TimeSpan.FromSeconds(0.6));
        Assert.False(n1.IsLeader);
        Assert.Equal(TimeSpan.FromSeconds(0.9), n1.LeadershipLeft);
    }
}
