using Microsoft.Extensions.Logging;
using Vipd.Kubernetes.Allocation;
using Vipd.Kubernetes.Config;
using Vipd.Kubernetes.Feed;
using Vipd.Kubernetes.Vips;

namespace Vipd.Kubernetes.Controller;

/// <summary>
/// The one loop that reacts: on a change (debounced), on a retry, or every resync period it recomputes, from the
/// last known cluster state, the VIP set for vipd and, on the allocator only, the Services' addresses. While the API
/// server is unreachable it changes nothing: vipd keeps the last applied set, its gossip keeps failover running.
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

        var views = snapshot.Services.Select(s => ServiceView.From(s, _config.LoadBalancerClass)).ToList();
        var endpoints = EndpointIndex.Build(snapshot.Slices);
        var vips = VipSetBuilder.Build(_config, views, endpoints);
        await _feeder.ApplyAsync(vips, _config.Resync, ct).ConfigureAwait(false);

        _statusRetryPending = false;
        if (_isLeader())
        {
            var results = Allocator.Allocate(_config, views);
            _statusRetryPending = !await _writer.WriteAsync(views, results, ct).ConfigureAwait(false);
        }

        SyncedVersion = snapshot.Version;
    }
}
