using Microsoft.Extensions.Logging;
using Vipd.Kubernetes.Config;
using Vipd.Kubernetes.Kube.Models;

namespace Vipd.Kubernetes.Kube;

/// <summary>
/// One allocator at a time through a <c>coordination.k8s.io/v1</c> Lease, as client-go's leader election: every
/// retry period the holder renews (a PUT at the Lease's resourceVersion, so two writers cannot both succeed) and the
/// others try to take it once it has not changed for a whole lease duration, measured on their own clock (no clock
/// sync needed). A holder that could not renew for the renew deadline stops allocating before anyone else may start.
/// <para>
/// The renewal is dated when its write <em>left</em>, not when the answer arrived: the others start counting the lease
/// duration only once they see the new record, which the server stored after the request left, so a holder counting
/// from the request never believes it leads after another may have taken over, however slow the answer was
/// (client-go dates it on arrival: a slow answer there leaves a window with two writers). Each write of the holder
/// re-checks that at least <see cref="LeaseConfig.WriteMargin"/> of leadership is left (<see cref="IsLeader"/>) and
/// is cancelled when it runs out (<see cref="LeadershipLeft"/>).
/// </para>
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

    /// <summary>
    /// True while this instance holds the lease and has more than <see cref="LeaseConfig.WriteMargin"/> left before its
    /// renew deadline, counted from when its last successful renewal was sent. Checked before every write.
    /// </summary>
    public bool IsLeader => LeadershipLeft > WriteMargin;

    /// <summary>
    /// <see cref="LeaseConfig.WriteMargin"/>, but never so large that leadership lapses between two renewals (at most
    /// half of renew deadline minus retry period).
    /// </summary>
    private TimeSpan WriteMargin => TimeSpan.FromTicks(Math.Min(_config.WriteMargin.Ticks, (_config.RenewDeadline - _config.RetryPeriod).Ticks / 2));

    /// <summary>
    /// How long this instance may still act as the allocator: the renew deadline minus the time since its last
    /// successful renewal was sent; zero when it does not hold the lease. A write is cancelled when this runs out.
    /// </summary>
    public TimeSpan LeadershipLeft
    {
        get
        {
            if (!_leader)
            {
                return TimeSpan.Zero;
            }

            var left = _config.RenewDeadline - _time.GetElapsedTime(_renewedAt);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

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
                var created = _time.GetTimestamp();
                await _api.CreateLeaseAsync(lease, ct).ConfigureAwait(false);
                Renewed(created);
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
            var sent = _time.GetTimestamp();
            await _api.ReplaceLeaseAsync(lease, ct).ConfigureAwait(false);
            Renewed(sent);
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

    /// <summary>A renewal succeeded; <paramref name="sentAt"/> is when its write left (see the class comment).</summary>
    private void Renewed(long sentAt)
    {
        _renewedAt = sentAt;
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
