using Microsoft.Extensions.Logging;
using Vipd.Kubernetes.Config;
using Vipd.Kubernetes.Kube.Models;

namespace Vipd.Kubernetes.Kube;

/// <summary>
/// One allocator at a time through a <c>coordination.k8s.io/v1</c> Lease, as client-go's leader election: every
/// retry period the holder renews (a PUT at the Lease's resourceVersion, so two writers cannot both succeed) and the
/// others try to take it once it has not changed for a whole lease duration, measured on their own clock (no clock
/// sync needed). A holder that could not renew for the renew deadline stops allocating before anyone else may start.
/// </summary>
internal sealed class LeaseElector
{
    private readonly KubeApi _api;
    private readonly LeaseConfig _config;
    private readonly string _identity;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action _changed;
    private string? _observedRecord;
    private long _observedAt;
    private long _renewedAt;
    private volatile bool _leader;

    public LeaseElector(KubeApi api, LeaseConfig config, string identity, TimeProvider time, ILogger logger, Action changed)
    {
        _api = api;
        _config = config;
        _identity = identity;
        _time = time;
        _logger = logger;
        _changed = changed;
    }

    private string LeaseName => $"{_config.Namespace}/{_config.Name}";

    /// <summary>True while this instance holds the lease and renewed it within the renew deadline.</summary>
    public bool IsLeader => _leader && _time.GetElapsedTime(_renewedAt) < _config.RenewDeadline;

    public async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_config.RetryPeriod, _time);
        try
        {
            do
            {
                await TryAcquireOrRenewAsync(ct).ConfigureAwait(false);
            }
            while (await WaitAsync(timer, ct).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping: hand the lease back below.
        }

        await ReleaseAsync().ConfigureAwait(false);
    }

    /// <summary>One round; public for tests.</summary>
    public async Task TryAcquireOrRenewAsync(CancellationToken ct)
    {
        try
        {
            var now = _time.GetUtcNow();
            var lease = await _api.GetLeaseAsync(_config.Namespace, _config.Name, ct).ConfigureAwait(false);
            if (lease is null)
            {
                lease = new Lease
                {
                    Metadata = new ObjectMeta { Name = _config.Name, Namespace = _config.Namespace },
                    Spec = NewSpec(now, transitions: 0, acquired: now),
                };
                await _api.CreateLeaseAsync(lease, ct).ConfigureAwait(false);
                Renewed();
                return;
            }

            var record = $"{lease.Spec.HolderIdentity}|{lease.Spec.RenewTime}|{lease.Spec.LeaseDurationSeconds}";
            if (record != _observedRecord)
            {
                _observedRecord = record;
                _observedAt = _time.GetTimestamp();
            }

            var holder = lease.Spec.HolderIdentity;
            var duration = TimeSpan.FromSeconds(lease.Spec.LeaseDurationSeconds ?? (int)_config.Duration.TotalSeconds);
            var mine = holder == _identity;
            var expired = string.IsNullOrEmpty(holder) || _time.GetElapsedTime(_observedAt) > duration;
            if (!mine && !expired)
            {
                SetLeader(false, $"is held by {holder}");
                return;
            }

            var transitions = lease.Spec.LeaseTransitions ?? 0;
            var acquired = DateTimeOffset.TryParse(lease.Spec.AcquireTime, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var a) ? a : now;
            lease.Spec = mine
                ? NewSpec(now, transitions, acquired)
                : NewSpec(now, transitions + 1, now);
            await _api.ReplaceLeaseAsync(lease, ct).ConfigureAwait(false);
            Renewed();
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            _logger.LeaseCallFailed(LeaseName, e.Message);
            if (_leader && !IsLeader)
            {
                SetLeader(false, "could not be renewed within the renew deadline");
            }
            else if (e is KubeApiException { IsConflict: true })
            {
                SetLeader(false, "was taken by another instance");
            }
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private LeaseSpec NewSpec(DateTimeOffset now, int transitions, DateTimeOffset acquired) => new()
    {
        HolderIdentity = _identity,
        LeaseDurationSeconds = (int)Math.Ceiling(_config.Duration.TotalSeconds),
        AcquireTime = KubeTime.MicroTime(acquired),
        RenewTime = KubeTime.MicroTime(now),
        LeaseTransitions = transitions,
    };

    private void Renewed()
    {
        _renewedAt = _time.GetTimestamp();
        SetLeader(true, string.Empty);
    }

    private void SetLeader(bool leader, string reason)
    {
        if (leader == _leader)
        {
            return;
        }

        _leader = leader;
        if (leader)
        {
            _logger.LeaseAcquired(LeaseName);
        }
        else
        {
            _logger.LeaseLost(LeaseName, reason);
        }

        _changed();
    }

    /// <summary>On shutdown the holder hands the lease back at once (client-go's ReleaseOnCancel).</summary>
    private async Task ReleaseAsync()
    {
        if (!_leader)
        {
            return;
        }

        _leader = false;
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2), _time);
            var lease = await _api.GetLeaseAsync(_config.Namespace, _config.Name, cts.Token).ConfigureAwait(false);
            if (lease?.Spec.HolderIdentity == _identity)
            {
                lease.Spec.HolderIdentity = string.Empty;
                lease.Spec.LeaseDurationSeconds = 1;
                lease.Spec.RenewTime = KubeTime.MicroTime(_time.GetUtcNow());
                await _api.ReplaceLeaseAsync(lease, cts.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            _logger.LeaseCallFailed(LeaseName, e.Message);
        }
    }
}
