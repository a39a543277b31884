using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Vipd.Kubernetes.Allocation;
using Vipd.Kubernetes.Config;
using Vipd.Kubernetes.Kube;
using Vipd.Kubernetes.Kube.Models;

namespace Vipd.Kubernetes.Controller;

/// <summary>
/// What the allocator (the lease holder) writes: each Service's <c>status.loadBalancer.ingress</c> and its
/// <c>vipd.io/AddressAllocated</c> condition, and an Event when the outcome changes (allocated, or why not). A Service
/// that stopped being a LoadBalancer has its pool addresses removed from its status.
/// </summary>
internal sealed class StatusWriter
{
    private readonly KubeApi _api;
    private readonly K8sConfig _config;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<bool> _mayWrite;
    private readonly Func<TimeSpan> _leadershipLeft;
    private readonly Dictionary<string, string> _reported = new(StringComparer.Ordinal);

    /// <summary>
    /// <paramref name="mayWrite"/> is re-checked just before each write (the lease holder with a margin left);
    /// <paramref name="leadershipLeft"/> says how long the holder may still write: each write is cancelled when it runs out.
    /// </summary>
    public StatusWriter(KubeApi api, K8sConfig config, TimeProvider time, ILogger logger, Func<bool> mayWrite, Func<TimeSpan> leadershipLeft)
    {
        _api = api;
        _config = config;
        _time = time;
        _logger = logger;
        _mayWrite = mayWrite;
        _leadershipLeft = leadershipLeft;
    }

    /// <summary>Writes not started because leadership was lost (or nearly so) during a pass (tests read it).</summary>
    public int WritesWithheld { get; private set; }

    /// <summary>Status patches written (tests count them).</summary>
    public int Writes { get; private set; }

    /// <summary>Writes what differs; returns the keys of the Services whose write failed (the caller retries later).</summary>
    public async Task<IReadOnlySet<string>> WriteAsync(IReadOnlyList<ServiceView> services, IReadOnlyDictionary<string, AllocationResult> results, CancellationToken ct)
    {
        var failed = new HashSet<string>(StringComparer.Ordinal);
        var lost = false;
        foreach (var service in services)
        {
            if (lost)
            {
                failed.Add(service.Key);
                continue;
            }

            try
            {
                if (service.Managed && results.TryGetValue(service.Key, out var result))
                {
                    await WriteOneAsync(service, result, ct).ConfigureAwait(false);
                }
                else if (!service.IsLoadBalancer && service.Current.Any(ip => ServiceView.PoolOf(_config, ip) is not null))
                {
                    // Type changed away from LoadBalancer: free the address.
                    var keep = service.Current.Where(ip => ServiceView.PoolOf(_config, ip) is null).ToList();
                    await PatchAsync(service, keep, null, ct).ConfigureAwait(false);
                    _reported.Remove(service.Key);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
            catch (LeadershipLostException)
            {
                // The new holder is the only writer now; what was not written is its job.
                lost = true;
                failed.Add(service.Key);
            }
            catch (Exception e)
            {
                failed.Add(service.Key);
                _logger.StatusWriteFailed(service.Key, e.Message);
            }
        }

        foreach (var gone in _reported.Keys.Where(k => !results.ContainsKey(k)).ToList())
        {
            _reported.Remove(gone);
        }

        return failed;
    }

    private async Task WriteOneAsync(ServiceView service, AllocationResult result, CancellationToken ct)
    {
        var list = string.Join(", ", result.Addresses);
        var condition = new Condition
        {
            Type = Annotations.ConditionType,
            Status = result.Ok ? "True" : "False",
            Reason = result.Reason ?? "Allocated",
            Message = result.Message ?? $"allocated {list}",
        };
        var old = service.Source?.Status?.Conditions?.FirstOrDefault(c => c.Type == Annotations.ConditionType);
        var sameCondition = old is not null && old.Status == condition.Status && old.Reason == condition.Reason && old.Message == condition.Message;
        var sameIngress = service.Current.SequenceEqual(result.Addresses);
        if (!sameCondition || !sameIngress)
        {
            condition.LastTransitionTime = old is not null && old.Status == condition.Status && old.LastTransitionTime is not null
                ? old.LastTransitionTime
                : KubeTime.Time(_time.GetUtcNow());
            await PatchAsync(service, result.Addresses, condition, ct).ConfigureAwait(false);
            if (!sameIngress)
            {
                _logger.StatusWritten(service.Key, list);
            }
        }

        var outcome = $"{condition.Reason}|{condition.Message}";
        if (_reported.GetValueOrDefault(service.Key) != outcome && (!sameCondition || !sameIngress || !result.Ok))
        {
            _reported[service.Key] = outcome;
            await EventAsync(service, result.Ok ? "Normal" : "Warning", result.Ok ? "IPAllocated" : condition.Reason, condition.Message, ct).ConfigureAwait(false);
            if (!result.Ok)
            {
                _logger.AllocationFailed(service.Key, condition.Reason, condition.Message);
            }
        }
    }

    private async Task PatchAsync(ServiceView service, IReadOnlyList<IPAddress> addresses, Condition? condition, CancellationToken ct)
    {
        var ingress = new JsonArray();
        foreach (var ip in addresses)
        {
            ingress.Add((JsonNode)new JsonObject { ["ip"] = ip.ToString(), ["ipMode"] = "VIP" });
        }

        var conditions = new JsonArray();
        foreach (var c in service.Source?.Status?.Conditions ?? [])
        {
            if (c.Type != Annotations.ConditionType)
            {
                conditions.Add((JsonNode?)JsonSerializer.SerializeToNode(c, ConditionJson));
            }
        }

        if (condition is not null)
        {
            conditions.Add((JsonNode?)JsonSerializer.SerializeToNode(condition, ConditionJson));
        }

        var patch = new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["loadBalancer"] = new JsonObject { ["ingress"] = ingress },
                ["conditions"] = conditions,
            },
        };
        using (var window = WriteWindow(ct))
        {
            await _api.PatchServiceStatusAsync(service.Namespace, service.Name, patch.ToJsonString(), window.Token).ConfigureAwait(false);
        }

        Writes++;
    }

    private static System.Text.Json.Serialization.Metadata.JsonTypeInfo<Condition> ConditionJson => KubeJsonContext.Default.Condition;

    private async Task EventAsync(ServiceView service, string type, string reason, string message, CancellationToken ct)
    {
        var now = KubeTime.Time(_time.GetUtcNow());
        var kubeEvent = new KubeEvent
        {
            Metadata = new ObjectMeta { Namespace = service.Namespace, GenerateName = service.Name + "." },
            InvolvedObject = new ObjectReference
            {
                ApiVersion = "v1",
                Kind = "Service",
                Name = service.Name,
                Namespace = service.Namespace,
                Uid = service.Uid,
                ResourceVersion = service.Source?.Metadata.ResourceVersion,
            },
            Type = type,
            Reason = reason,
            Message = message,
            Source = new EventSource { Component = "vipd-k8s", Host = _config.NodeName },
            ReportingComponent = "vipd.io/vipd-k8s",
            ReportingInstance = _config.NodeName,
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
        };
        using var window = WriteWindow(ct);
        await _api.CreateEventAsync(kubeEvent, window.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// Just before a write: the holder must still lead with a margin, and the write is cancelled when its leadership
    /// runs out, so no write of an old holder starts, or stays in flight, once another may have taken over.
    /// </summary>
    private WriteWindowScope WriteWindow(CancellationToken ct)
    {
        var left = _leadershipLeft();
        if (!_mayWrite() || left <= TimeSpan.Zero)
        {
            WritesWithheld++;
            throw new LeadershipLostException();
        }

        return new WriteWindowScope(left, _time, ct);
    }

    private sealed class LeadershipLostException : Exception
    {
        public LeadershipLostException()
            : base("the lease is no longer held with a margin")
        {
        }
    }

    private sealed class WriteWindowScope : IDisposable
    {
        private readonly CancellationTokenSource _deadline;
        private readonly CancellationTokenSource _linked;

        public WriteWindowScope(TimeSpan left, TimeProvider time, CancellationToken ct)
        {
            _deadline = new CancellationTokenSource(left, time);
            _linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _deadline.Token);
        }

        public CancellationToken Token => _linked.Token;

        public void Dispose()
        {
            _linked.Dispose();
            _deadline.Dispose();
        }
    }
}
