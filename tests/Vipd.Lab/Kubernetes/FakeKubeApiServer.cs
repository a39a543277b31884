using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;

namespace Vipd.Lab.Kubernetes;

/// <summary>
/// A small Kubernetes API server (HTTP) that speaks the list/watch protocol as the real one does: lists with a
/// resourceVersion, watch streams (chunked, one JSON event per line: ADDED/MODIFIED/DELETED/BOOKMARK) from a
/// resourceVersion, an ERROR event with a 410 Status when that version was compacted away, JSON merge patch of
/// <c>/status</c>, Events, and Leases with optimistic concurrency (409 on a stale resourceVersion). Stopping it is an
/// outage: open watches are cut, connections refused until it starts again on the same port.
/// It listens on 127.0.0.1 (unit tests) or, given a <see cref="LabHost"/>, on an address inside that host's network
/// namespace (its listening socket is created by a thread that joined the namespace), so that processes in other lab
/// namespaces reach it over the lab bridge. Objects are JSON of the real shape (the typed wrapper of
/// tests/Vipd.Kubernetes.Tests serialises vipd-k8s's own models).
/// </summary>
public sealed class FakeKubeApiServer : IAsyncDisposable
{
    /// <summary>The collection of Services (core/v1).</summary>
    public const string Services = "services";

    /// <summary>The collection of EndpointSlices (discovery.k8s.io/v1).</summary>
    public const string EndpointSlices = "endpointslices";

    /// <summary>The collection of Leases (coordination.k8s.io/v1).</summary>
    public const string Leases = "leases";

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = false };
    private readonly Lock _lock = new();
    private readonly Dictionary<string, SortedDictionary<string, JsonObject>> _collections = new()
    {
        [Services] = new(StringComparer.Ordinal),
        [EndpointSlices] = new(StringComparer.Ordinal),
        [Leases] = new(StringComparer.Ordinal),
    };

    private readonly List<(long Rv, string Collection, string Type, string Json)> _log = [];
    private readonly List<JsonObject> _events = [];
    private readonly List<string> _statusPatches = [];
    private readonly IPAddress _address;
    private readonly LabHost? _host;
    private TaskCompletionSource _pulse = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _rv = 100;
    private long _compacted;
    private WebApplication? _app;
    private CancellationTokenSource _stopping = new();

    /// <summary>On 127.0.0.1, a free port.</summary>
    public FakeKubeApiServer()
    {
        _address = IPAddress.Loopback;
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
    }

    /// <summary>On <paramref name="host"/>'s IPv4 address and <paramref name="port"/>, inside its namespace.</summary>
    public FakeKubeApiServer(LabHost host, int port)
    {
        ArgumentNullException.ThrowIfNull(host);
        _host = host;
        _address = host.IPv4;
        Port = port;
    }

    public int Port { get; }

    public Uri BaseUri => new($"http://{_address}:{Port.ToString(CultureInfo.InvariantCulture)}/");

    public bool IsRunning => _app is not null;

    public int WatchRequests { get; private set; }

    public int ListRequests { get; private set; }

    /// <summary>
    /// Called after a Lease write (create or replace) was stored and before its answer is sent: a test delays the
    /// answer here (on a fake clock: advances it, and lets other candidates run their rounds meanwhile).
    /// </summary>
    public Func<string, Task>? LeaseWriteStored { get; set; }

    public async Task StartAsync()
    {
        _stopping = new CancellationTokenSource();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(_address, Port));
        if (_host is { } host)
        {
            builder.WebHost.UseSockets(o => o.CreateBoundListenSocket = endpoint => host.Run(() => SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint)));
        }

        var app = builder.Build();
        app.Run(HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        _app = app;
    }

    /// <summary>The outage: cut every watch, refuse connections.</summary>
    public async Task StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_app is not null)
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    // ---- the test's side: objects in the store ----------------------------------------------------------------

    /// <summary>Creates or replaces an object (<c>metadata.namespace</c>/<c>metadata.name</c>) in a collection.</summary>
    public void Put(string collection, JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var (apiVersion, kind) = collection switch
        {
            Services => ("v1", "Service"),
            EndpointSlices => ("discovery.k8s.io/v1", "EndpointSlice"),
            Leases => ("coordination.k8s.io/v1", "Lease"),
            _ => throw new ArgumentException($"unknown collection {collection}", nameof(collection)),
        };
        lock (_lock)
        {
            var meta = obj["metadata"]!.AsObject();
            var key = $"{meta["namespace"]}/{meta["name"]}";
            var exists = _collections[collection].TryGetValue(key, out var old);
            obj["apiVersion"] = apiVersion;
            obj["kind"] = kind;
            meta["uid"] ??= old?["metadata"]?["uid"]?.GetValue<string>() ?? Guid.NewGuid().ToString();
            meta["creationTimestamp"] ??= old?["metadata"]?["creationTimestamp"]?.GetValue<string>() ?? "2026-01-01T00:00:00Z";
            Store(collection, key, obj, exists ? "MODIFIED" : "ADDED");
        }
    }

    /// <summary>Deletes an object (a DELETED event) if it exists.</summary>
    public void Delete(string collection, string ns, string name)
    {
        lock (_lock)
        {
            if (_collections[collection].Remove($"{ns}/{name}", out var obj))
            {
                _rv++;
                obj["metadata"]!["resourceVersion"] = Rv(_rv);
                _log.Add((_rv, collection, "DELETED", obj.ToJsonString(Options)));
                Pulse();
            }
        }
    }

    /// <summary>A copy of the stored object, or null.</summary>
    public JsonObject? Get(string collection, string ns, string name)
    {
        lock (_lock)
        {
            return _collections[collection].TryGetValue($"{ns}/{name}", out var o) ? o.DeepClone().AsObject() : null;
        }
    }

    /// <summary>Copies of the Events posted so far, in order.</summary>
    public IReadOnlyList<JsonObject> Events
    {
        get
        {
            lock (_lock)
            {
                return [.. _events.Select(e => e.DeepClone().AsObject())];
            }
        }
    }

    /// <summary>"ns/name" of every status patch, in order.</summary>
    public IReadOnlyList<string> StatusPatches
    {
        get
        {
            lock (_lock)
            {
                return [.. _statusPatches];
            }
        }
    }

    /// <summary>Forget the event history (etcd compaction): a watch from an older resourceVersion gets 410 Gone.</summary>
    public void Compact()
    {
        lock (_lock)
        {
            // Compacted through a revision no watcher has seen yet: every open watch is too old.
            _rv++;
            _compacted = _rv;
            _log.Clear();
            Pulse();
        }
    }

    /// <summary>Sends a BOOKMARK to every open watch.</summary>
    public void Bookmark()
    {
        lock (_lock)
        {
            _rv++;
            foreach (var (collection, (api, kind)) in new[] { (Services, ("v1", "Service")), (EndpointSlices, ("discovery.k8s.io/v1", "EndpointSlice")) })
            {
                var obj = new JsonObject { ["kind"] = kind, ["apiVersion"] = api, ["metadata"] = new JsonObject { ["resourceVersion"] = Rv(_rv) } };
                _log.Add((_rv, collection, "BOOKMARK", obj.ToJsonString(Options)));
            }

            Pulse();
        }
    }

    private static string Rv(long rv) => rv.ToString(CultureInfo.InvariantCulture);

    private void Store(string collection, string key, JsonObject obj, string type)
    {
        _rv++;
        obj["metadata"]!["resourceVersion"] = Rv(_rv);
        _collections[collection][key] = obj;
        _log.Add((_rv, collection, type, obj.ToJsonString(Options)));
        Pulse();
    }

    private void Pulse()
    {
        var old = _pulse;
        _pulse = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        old.TrySetResult();
    }

    // ---- the server's side ------------------------------------------------------------------------------------

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        var method = context.Request.Method;
        var parts = path.Trim('/').Split('/');
        if (method == "GET" && path is "/api/v1/services" or "/apis/discovery.k8s.io/v1/endpointslices")
        {
            var collection = path.EndsWith("services", StringComparison.Ordinal) ? Services : EndpointSlices;
            var selector = context.Request.Query["labelSelector"].ToString();
            if (context.Request.Query["watch"] == "1")
            {
                await WatchAsync(context, collection, selector);
            }
            else
            {
                await ListAsync(context, collection, selector);
            }

            return;
        }

        // /api/v1/namespaces/{ns}/services/{name}/status
        if (method == "PATCH" && parts is ["api", "v1", "namespaces", var ns, "services", var name, "status"])
        {
            var patch = JsonNode.Parse(await ReadBodyAsync(context))!.AsObject();
            JsonObject result;
            lock (_lock)
            {
                if (!_collections[Services].TryGetValue($"{ns}/{name}", out var obj))
                {
                    WriteStatus(context, 404, "NotFound", $"services \"{name}\" not found");
                    return;
                }

                var merged = (JsonObject)MergePatch(obj.DeepClone(), patch);
                Store(Services, $"{ns}/{name}", merged, "MODIFIED");
                _statusPatches.Add($"{ns}/{name}");
                result = merged;
            }

            await WriteJsonAsync(context, 200, result);
            return;
        }

        if (method == "POST" && parts is ["api", "v1", "namespaces", var eventNs, "events"])
        {
            var obj = JsonNode.Parse(await ReadBodyAsync(context))!.AsObject();
            lock (_lock)
            {
                _rv++;
                var meta = obj["metadata"]!.AsObject();
                meta["name"] = $"{meta["generateName"]}{_rv:x}";
                meta["namespace"] = eventNs;
                _events.Add(obj);
            }

            await WriteJsonAsync(context, 201, obj);
            return;
        }

        if (parts is ["apis", "coordination.k8s.io", "v1", "namespaces", var leaseNs, Leases, ..])
        {
            await LeaseAsync(context, method, leaseNs, parts.Length > 6 ? parts[6] : null);
            return;
        }

        WriteStatus(context, 404, "NotFound", $"no route for {method} {path}");
    }

    private async Task LeaseAsync(HttpContext context, string method, string ns, string? name)
    {
        JsonObject? answer = null;
        int code;
        lock (_lock)
        {
            var leases = _collections[Leases];
            switch (method)
            {
                case "GET" when name is not null:
                    code = leases.TryGetValue($"{ns}/{name}", out var found) ? 200 : 404;
                    answer = found;
                    break;
                case "POST":
                    {
                        var obj = JsonNode.Parse(ReadBodyAsync(context).GetAwaiter().GetResult())!.AsObject();
                        var key = $"{ns}/{obj["metadata"]!["name"]}";
                        if (leases.ContainsKey(key))
                        {
                            code = 409;
                            break;
                        }

                        obj["metadata"]!["namespace"] = ns;
                        Store(Leases, key, obj, "ADDED");
                        (code, answer) = (201, obj);
                        break;
                    }

                case "PUT" when name is not null:
                    {
                        var obj = JsonNode.Parse(ReadBodyAsync(context).GetAwaiter().GetResult())!.AsObject();
                        var key = $"{ns}/{name}";
                        if (!leases.TryGetValue(key, out var current))
                        {
                            code = 404;
                            break;
                        }

                        if (obj["metadata"]?["resourceVersion"]?.GetValue<string>() != current["metadata"]!["resourceVersion"]!.GetValue<string>())
                        {
                            code = 409;
                            break;
                        }

                        Store(Leases, key, obj, "MODIFIED");
                        (code, answer) = (200, obj);
                        break;
                    }

                default:
                    code = 405;
                    break;
            }
        }

        if (answer is not null && method is "POST" or "PUT" && LeaseWriteStored is { } stored)
        {
            await stored(answer["spec"]?["holderIdentity"]?.GetValue<string>() ?? string.Empty);
        }

        if (answer is not null)
        {
            await WriteJsonAsync(context, code, answer);
        }
        else
        {
            WriteStatus(context, code, code == 409 ? "Conflict" : "NotFound", code == 409 ? "the object has been modified" : "not found");
        }
    }

    private async Task ListAsync(HttpContext context, string collection, string selector)
    {
        JsonObject list;
        lock (_lock)
        {
            ListRequests++;
            var items = new JsonArray();
            foreach (var obj in _collections[collection].Values.Where(o => Matches(o, selector)))
            {
                items.Add((JsonNode)obj.DeepClone());
            }

            list = new JsonObject
            {
                ["kind"] = collection == Services ? "ServiceList" : "EndpointSliceList",
                ["apiVersion"] = collection == Services ? "v1" : "discovery.k8s.io/v1",
                ["metadata"] = new JsonObject { ["resourceVersion"] = Rv(_rv) },
                ["items"] = items,
            };
        }

        await WriteJsonAsync(context, 200, list);
    }

    private async Task WatchAsync(HttpContext context, string collection, string selector)
    {
        var from = long.Parse(context.Request.Query["resourceVersion"].ToString(), CultureInfo.InvariantCulture);
        var timeout = int.Parse(context.Request.Query["timeoutSeconds"].ToString(), CultureInfo.InvariantCulture);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        cts.CancelAfter(TimeSpan.FromSeconds(timeout));
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        lock (_lock)
        {
            WatchRequests++;
        }

        try
        {
            while (true)
            {
                List<string> lines;
                Task pulse;
                lock (_lock)
                {
                    if (from < _compacted)
                    {
                        lines = [$"{{\"type\":\"ERROR\",\"object\":{{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{{}},\"status\":\"Failure\",\"message\":\"too old resource version: {from} ({_compacted})\",\"reason\":\"Expired\",\"code\":410}}}}"];
                        pulse = Task.CompletedTask;
                        from = long.MaxValue;
                    }
                    else
                    {
                        var events = _log.Where(e => e.Rv > from && e.Collection == collection).ToList();
                        lines = [.. events.Where(e => e.Type == "BOOKMARK" || Matches(JsonNode.Parse(e.Json)!.AsObject(), selector)).Select(e => $"{{\"type\":\"{e.Type}\",\"object\":{e.Json}}}")];
                        if (events.Count > 0)
                        {
                            from = events[^1].Rv;
                        }

                        pulse = _pulse.Task;
                    }
                }

                foreach (var line in lines)
                {
                    await context.Response.WriteAsync(line + "\n", cts.Token);
                }

                await context.Response.Body.FlushAsync(cts.Token);
                if (from == long.MaxValue)
                {
                    return;
                }

                await pulse.WaitAsync(cts.Token);
            }
        }
        catch (OperationCanceledException)
        {
            if (_stopping.IsCancellationRequested)
            {
                context.Abort();
            }
        }
    }

    private static bool Matches(JsonObject obj, string selector) =>
        selector.Length == 0 || obj["metadata"]?["labels"]?[selector] is not null;

    private static JsonNode MergePatch(JsonNode target, JsonNode patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch.DeepClone();
        }

        var result = target as JsonObject ?? [];
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                var existing = result[key];
                result[key] = MergePatch(existing?.DeepClone() ?? new JsonObject(), value);
            }
        }

        return result;
    }

    private static async Task<string> ReadBodyAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    private static async Task WriteJsonAsync(HttpContext context, int code, JsonNode body)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(Options));
    }

    private static void WriteStatus(HttpContext context, int code, string reason, string message)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        var body = new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["status"] = "Failure", ["message"] = message, ["reason"] = reason, ["code"] = code };
        context.Response.WriteAsync(body.ToJsonString(Options)).GetAwaiter().GetResult();
    }
}
