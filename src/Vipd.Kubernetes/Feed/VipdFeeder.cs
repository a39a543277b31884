using Grpc.Core;
using Microsoft.Extensions.Logging;
using Vipd.Api.V1;
using Vipd.Kubernetes.Controller;
using Vipd.Kubernetes.Kube;

namespace Vipd.Kubernetes.Feed;

/// <summary>
/// Hands the dynamic VIP set to the local vipd: <c>ApplyVips(source "kubernetes", replace = true)</c>, when the set
/// changed, and again every resync period (a restarted vipd gets it back even if it lost it). vipd replicates the set
/// to every node, newest write wins, so only the lease holder calls this; followers' vipd get it through gossip. A
/// failed call is retried with backoff; nothing is removed because a call failed.
/// </summary>
internal sealed class VipdFeeder
{
    public const string Source = "kubernetes";

    private readonly VipdService.VipdServiceClient _client;
    private readonly string _socket;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Backoff _backoff;
    private List<DynamicVip>? _applied;
    private long _appliedAt;
    private long _retryAt;

    public VipdFeeder(VipdService.VipdServiceClient client, string socket, TimeProvider time, Random random, ILogger logger)
    {
        _client = client;
        _socket = socket;
        _time = time;
        _logger = logger;
        _backoff = new Backoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), random);
    }

    /// <summary>Successful ApplyVips calls (tests count them).</summary>
    public int Applies { get; private set; }

    /// <summary>When a failed call should be retried; null: nothing pending.</summary>
    public TimeSpan? RetryIn { get; private set; }

    /// <summary>
    /// Not the writer (any more): forget what was applied and any pending retry, so that on taking the lease again the
    /// set is applied at once (another holder may have changed it in between).
    /// </summary>
    public void Forget()
    {
        _applied = null;
        RetryIn = null;
        _backoff.Reset();
    }

    /// <summary>Applies <paramref name="vips"/> if it differs from what vipd last accepted, or the resync period passed.</summary>
    public async Task ApplyAsync(List<DynamicVip> vips, TimeSpan resync, CancellationToken ct)
    {
        var same = _applied is not null && _applied.Count == vips.Count && _applied.Zip(vips).All(p => p.First.Equals(p.Second));
        // 90 %: the controller wakes every resync period, a little after the last apply.
        if (same && _time.GetElapsedTime(_appliedAt) < resync * 0.9)
        {
            return;
        }

        if (RetryIn is not null && _time.GetTimestamp() < _retryAt)
        {
            return;
        }

        var request = new ApplyVipsRequest { Source = Source, Replace = true };
        request.Vips.AddRange(vips.Select(v => v.Clone()));
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5), _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
            var response = await _client.ApplyVipsAsync(request, cancellationToken: linked.Token).ConfigureAwait(false);
            _applied = vips;
            _appliedAt = _time.GetTimestamp();
            _backoff.Reset();
            RetryIn = null;
            Applies++;
            if (response.Added.Count + response.Changed.Count + response.Removed.Count > 0)
            {
                _logger.Applied(vips.Count, response.Added.Count, response.Changed.Count, response.Removed.Count);
            }
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            _applied = null;
            var delay = _backoff.Next();
            RetryIn = delay;
            _retryAt = _time.GetTimestamp() + (long)(delay.TotalSeconds * _time.TimestampFrequency);
            _logger.ApplyFailed(_socket, (long)delay.TotalMilliseconds, e.Message);
        }
    }
}
