using Microsoft.Extensions.Logging;
using Vipd.Kubernetes.Allocation;
using Vipd.Kubernetes.Config;
using Vipd.Kubernetes.Feed;
using Vipd.Kubernetes.Vips;

namespace Vipd.Kubernetes.Controller;

/// <summary>
/// The one loop that reacts: on a change (debounced), on a retry, or every resync period it recomputes, from the
/// last known cluster state, the Services' addresses and the VIP set for vipd. Only the lease holder (the allocator)
/// does either: vipd replicates a source's set last-writer-wins, so one writer is the only way an instance that has
/// not yet seen a status cannot remove a VIP on every node. The holder applies only after both watches listed and
/// after its status writes: the set is built from the addresses it wrote or found confirmed, never from a stale
/// view. A follower applies nothing (its vipd gets the set through vipd's gossip); a holder that loses the lease
/// stops at once. While the API server is unreachable nobody changes anything: vipd keeps (and persists) the last
/// applied set, its gossip keeps failover running.
/// </summary>
internal sealed class VipController
{
    private static readonly TimeSpan StatusRetry = TimeSpan.FromSeconds(2);

    private readonly K8sConfig _config;
    private readonly ClusterState _state;
    private readonly Func<bool> _isLeader;
    private readonly StatusWriter _writer;
    private readonly VipdFeeder _feeder;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private bool _connected = true;
    private bool _statusRetryPending;

    public VipController(K8sConfig config, ClusterState state, Func<bool> isLeader, StatusWriter writer, VipdFeeder feeder, TimeProvider time, ILogger logger)
    {
        _config = config;
        _state = state;
        _isLeader = isLeader;
        _writer = writer;
        _feeder = feeder;
        _time = time;
        _logger = logger;
    }

    /// <summary>The cluster-state version of the last complete pass (tests wait for it).</summary>
    public long SyncedVersion { get; private set; } = -1;

    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var wait = _config.Resync;
            if (_feeder.RetryIn is { } retry && retry < wait)
            {
                wait = retry;
            }

            if (_statusRetryPending && StatusRetry < wait)
            {
                wait = StatusRetry;
            }

            try
            {
                if (await _state.WaitChangedAsync(wait, ct).ConfigureAwait(false))
                {
                    // Gather a burst of events (a rollout touches many slices) into one pass.
                    await Task.Delay(_config.Debounce, _time, ct).ConfigureAwait(false);
                }

                await SyncOnceAsync(ct).ConfigureAwait(false);
            }
            catch (Exception) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // Never let one bad pass end the loop: the next change or resync tries again.
                _logger.PassFailed(e.Message);
                _statusRetryPending = true;
            }
        }
    }

    public async Task SyncOnceAsync(CancellationToken ct)
    {
        var snapshot = _state.Snapshot();
        if (!snapshot.Synced)
        {
            return;
        }

        if (!snapshot.Connected)
        {
            if (_connected)
            {
                _logger.KeepingLastSet();
                _connected = false;
            }

            return;
        }

        if (!_connected)
        {
            _logger.Resynchronised();
            _connected = true;
        }

        if (!_isLeader())
        {
            // A follower never applies: what it has seen may lag the holder's, and the set is replicated whole.
            _feeder.Forget();
            _statusRetryPending = false;
            SyncedVersion = snapshot.Version;
            return;
        }

        var views = snapshot.Services.Select(s => ServiceView.From(s, _config.LoadBalancerClass)).ToList();
        var results = Allocator.Allocate(_config, views);
        var failed = await _writer.WriteAsync(views, results, ct).ConfigureAwait(false);
        _statusRetryPending = failed.Count > 0;

        // The set follows what is now in the statuses: the allocations just written or confirmed; for a Service
        // whose write failed, what its status said before (its VIP is neither added early nor dropped).
        var confirmed = views
            .Select(v => v.Managed && !failed.Contains(v.Key) && results.TryGetValue(v.Key, out var r) ? v with { Current = r.Addresses } : v)
            .ToList();
        var endpoints = EndpointIndex.Build(snapshot.Slices);
        var vips = VipSetBuilder.Build(_config, confirmed, endpoints);
        if (!_isLeader())
        {
            // The lease was lost while writing: the new holder is the only writer now.
            _feeder.Forget();
            SyncedVersion = snapshot.Version;
            return;
        }

        await _feeder.ApplyAsync(vips, _config.Resync, ct).ConfigureAwait(false);
        SyncedVersion = snapshot.Version;
    }
}
