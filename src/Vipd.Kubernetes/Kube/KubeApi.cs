using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Vipd.Kubernetes.Kube.Models;

namespace Vipd.Kubernetes.Kube;

/// <summary>
/// The few API calls vipd-k8s makes, over plain HTTP requests and source-generated JSON: list, watch (a chunked
/// stream of one JSON event per line), merge-patch of a Service's status, Events, and the Lease.
/// </summary>
internal sealed class KubeApi
{
    /// <summary>An ordinary call that takes longer has hung (a watch has no such limit).</summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long past its timeoutSeconds a watch stream may stay open before it counts as dead.</summary>
    private static readonly TimeSpan WatchGrace = TimeSpan.FromSeconds(30);

    private readonly KubeConnection _connection;
    private readonly TimeProvider _time;

    public KubeApi(KubeConnection connection, TimeProvider time)
    {
        _connection = connection;
        _time = time;
    }

    public async Task<T> ListAsync<T>(string path, string? labelSelector, JsonTypeInfo<T> type, CancellationToken ct)
    {
        var query = labelSelector is null ? string.Empty : "?labelSelector=" + System.Uri.EscapeDataString(labelSelector);
        using var request = new HttpRequestMessage(HttpMethod.Get, At(path + query));
        return await SendAsync(request, type, ct).ConfigureAwait(false)
            ?? throw new KubeApiException(HttpStatusCode.NotFound, $"GET {path}: not found");
    }

    /// <summary>
    /// Watches from <paramref name="resourceVersion"/> until the server ends the stream (after
    /// <paramref name="timeoutSeconds"/>) or fails; each event's object goes to <paramref name="onEvent"/>.
    /// Returns the last resourceVersion seen. An ERROR event throws <see cref="KubeApiException"/> (410: relist).
    /// </summary>
    public async Task<string> WatchAsync<T>(
        string path,
        string? labelSelector,
        string resourceVersion,
        int timeoutSeconds,
        JsonTypeInfo<T> type,
        Func<WatchEventType, T, string?> onEvent,
        CancellationToken ct)
    {
        var query = new StringBuilder("?watch=1&allowWatchBookmarks=true");
        query.Append("&resourceVersion=").Append(System.Uri.EscapeDataString(resourceVersion));
        query.Append("&timeoutSeconds=").Append(timeoutSeconds.ToString(CultureInfo.InvariantCulture));
        if (labelSelector is not null)
        {
            query.Append("&labelSelector=").Append(System.Uri.EscapeDataString(labelSelector));
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, At(path + query));

        // The server ends the stream after timeoutSeconds; a stream still open well after that sits on a dead
        // connection (a partition leaves it half-open, silent): give it up and list again.
        using var stuck = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds) + WatchGrace, _time);
        using var headers = new CancellationTokenSource(CallTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, stuck.Token, headers.Token);
        try
        {
            using var response = await _connection.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            headers.CancelAfter(Timeout.InfiniteTimeSpan);
            await ThrowIfFailedAsync(request, response, linked.Token).ConfigureAwait(false);
            using var stream = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
            return await ReadEventsAsync(path, resourceVersion, stream, type, onEvent, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"watch {path}: no answer from the API server in time");
        }
    }

    private static async Task<string> ReadEventsAsync<T>(
        string path, string resourceVersion, Stream stream, JsonTypeInfo<T> type, Func<WatchEventType, T, string?> onEvent, CancellationToken ct)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var last = resourceVersion;
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            using var document = JsonDocument.Parse(line);
            var kind = document.RootElement.GetProperty("type").GetString();
            var obj = document.RootElement.GetProperty("object");
            if (kind == "ERROR")
            {
                var status = obj.Deserialize(KubeJsonContext.Default.Status);
                throw new KubeApiException((HttpStatusCode)(status?.Code ?? 500), $"watch {path}: {status?.Message ?? "error"}");
            }

            var eventType = kind switch
            {
                "ADDED" => WatchEventType.Added,
                "MODIFIED" => WatchEventType.Modified,
                "DELETED" => WatchEventType.Deleted,
                "BOOKMARK" => WatchEventType.Bookmark,
                _ => throw new KubeApiException(HttpStatusCode.InternalServerError, $"watch {path}: unknown event type '{kind}'"),
            };
            var item = obj.Deserialize(type) ?? throw new KubeApiException(HttpStatusCode.InternalServerError, $"watch {path}: empty object");
            last = onEvent(eventType, item) ?? last;
        }

        return last;
    }

    /// <summary>JSON merge patch of <c>/status</c> (lists in the patch replace the Service's).</summary>
    public async Task PatchServiceStatusAsync(string ns, string name, string mergePatch, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, At($"api/v1/namespaces/{ns}/services/{name}/status"))
        {
            Content = new StringContent(mergePatch, Encoding.UTF8, new MediaTypeHeaderValue("application/merge-patch+json")),
        };
        await SendAsync(request, KubeJsonContext.Default.Service, ct).ConfigureAwait(false);
    }

    public async Task CreateEventAsync(KubeEvent kubeEvent, CancellationToken ct)
    {
        var ns = kubeEvent.Metadata.Namespace ?? "default";
        using var request = new HttpRequestMessage(HttpMethod.Post, At($"api/v1/namespaces/{ns}/events"))
        {
            Content = Json(kubeEvent, KubeJsonContext.Default.KubeEvent),
        };
        await SendAsync(request, KubeJsonContext.Default.KubeEvent, ct).ConfigureAwait(false);
    }

    /// <summary>The Lease, or null when it does not exist.</summary>
    public async Task<Lease?> GetLeaseAsync(string ns, string name, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, At($"apis/coordination.k8s.io/v1/namespaces/{ns}/leases/{name}"));
        return await SendAsync(request, KubeJsonContext.Default.Lease, ct).ConfigureAwait(false);
    }

    /// <summary>Creates the Lease; a 409 (someone else was faster) throws with <see cref="KubeApiException.IsConflict"/>.</summary>
    public async Task<Lease?> CreateLeaseAsync(Lease lease, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, At($"apis/coordination.k8s.io/v1/namespaces/{lease.Metadata.Namespace}/leases"))
        {
            Content = Json(lease, KubeJsonContext.Default.Lease),
        };
        return await SendAsync(request, KubeJsonContext.Default.Lease, ct).ConfigureAwait(false);
    }

    /// <summary>Replaces the Lease at its resourceVersion; a 409 (changed meanwhile) throws.</summary>
    public async Task<Lease?> ReplaceLeaseAsync(Lease lease, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, At($"apis/coordination.k8s.io/v1/namespaces/{lease.Metadata.Namespace}/leases/{lease.Metadata.Name}"))
        {
            Content = Json(lease, KubeJsonContext.Default.Lease),
        };
        return await SendAsync(request, KubeJsonContext.Default.Lease, ct).ConfigureAwait(false);
    }

    private static StringContent Json<T>(T value, JsonTypeInfo<T> type) =>
        new(JsonSerializer.Serialize(value, type), Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

    private Uri At(string relative) => new(_connection.BaseUri, relative);

    /// <summary>Sends one call with <see cref="CallTimeout"/>; 404 on GET gives null.</summary>
    private async Task<T?> SendAsync<T>(HttpRequestMessage request, JsonTypeInfo<T> type, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(CallTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            using var response = await _connection.Http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound && request.Method == HttpMethod.Get)
            {
                return default;
            }

            await ThrowIfFailedAsync(request, response, linked.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(linked.Token).ConfigureAwait(false);
            return body.Length == 0 ? default : JsonSerializer.Deserialize(body, type);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new TimeoutException($"{request.Method} {request.RequestUri?.AbsolutePath}: no answer within {CallTimeout.TotalSeconds} s");
        }
    }

    private static async Task ThrowIfFailedAsync(HttpRequestMessage request, HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var message = response.ReasonPhrase ?? "error";
        try
        {
            var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (body.Length > 0 && body[0] == '{' && JsonSerializer.Deserialize(body, KubeJsonContext.Default.Status) is { Message: { } m })
            {
                message = m;
            }
        }
        catch (JsonException)
        {
            // The status line's reason is all there is.
        }

        throw new KubeApiException(response.StatusCode, $"{request.Method} {request.RequestUri?.AbsolutePath}: {(int)response.StatusCode} {message}");
    }
}
