using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Vipd.Kubernetes.Kube.Models;

namespace Vipd.Kubernetes.Kube;

/// <summary>
/// List, then watch from the list's resourceVersion, the way client-go's reflector does: the stream ends after a
/// server-side timeout and is reopened from the last resourceVersion seen (bookmarks advance it); 410 Gone lists
/// again; any other failure retries with backoff. Nothing is forgotten while the API server is unreachable: the sink
/// keeps its objects until a successful list replaces them.
/// </summary>
internal sealed class ResourceWatcher<T, TList>
{
    private readonly KubeApi _api;
    private readonly string _path;
    private readonly string? _labelSelector;
    private readonly JsonTypeInfo<T> _itemType;
    private readonly JsonTypeInfo<TList> _listType;
    private readonly Func<TList, (IEnumerable<T> Items, string? ResourceVersion)> _unpack;
    private readonly Func<T, ObjectMeta> _meta;
    private readonly IResourceSink<T> _sink;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly ILogger _logger;

    public ResourceWatcher(
        KubeApi api,
        string path,
        string? labelSelector,
        JsonTypeInfo<T> itemType,
        JsonTypeInfo<TList> listType,
        Func<TList, (IEnumerable<T> Items, string? ResourceVersion)> unpack,
        Func<T, ObjectMeta> meta,
        IResourceSink<T> sink,
        TimeProvider time,
        Random random,
        ILogger logger)
    {
        _api = api;
        _path = path;
        _labelSelector = labelSelector;
        _itemType = itemType;
        _listType = listType;
        _unpack = unpack;
        _meta = meta;
        _sink = sink;
        _time = time;
        _random = random;
        _logger = logger;
    }

    /// <summary>How many times the watcher listed (the first list included): 410 Gone and outages add one each.</summary>
    public int Lists { get; private set; }

    public async Task RunAsync(CancellationToken ct)
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), _random);
        string? resourceVersion = null;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (resourceVersion is null)
                {
                    var list = await _api.ListAsync(_path, _labelSelector, _listType, ct).ConfigureAwait(false);
                    var (items, version) = _unpack(list);
                    _sink.Replace(items);
                    Lists++;
                    resourceVersion = version ?? "0";
                    _sink.SetConnected(true);
                    _logger.Listed(_path, resourceVersion);
                }

                // 5-10 minutes, as client-go, so that the watches of many nodes do not all reopen at once.
                var timeout = 300 + _random.Next(300);
                resourceVersion = await _api.WatchAsync(_path, _labelSelector, resourceVersion, timeout, _itemType, OnEvent, ct).ConfigureAwait(false);
                backoff.Reset();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (KubeApiException e) when (e.IsGone)
            {
                _logger.WatchGone(_path, resourceVersion ?? string.Empty);
                resourceVersion = null;
            }
            catch (Exception e)
            {
                _sink.SetConnected(false);
                var delay = backoff.Next();
                _logger.WatchFailed(_path, (long)delay.TotalMilliseconds, e.Message);

                // Relist after an outage: events may have been compacted away meanwhile.
                resourceVersion = null;
                try
                {
                    await Task.Delay(delay, _time, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private string? OnEvent(WatchEventType type, T item)
    {
        switch (type)
        {
            case WatchEventType.Added:
            case WatchEventType.Modified:
                _sink.Upsert(item);
                break;
            case WatchEventType.Deleted:
                _sink.Delete(item);
                break;
            case WatchEventType.Bookmark:
                break;
        }

        return _meta(item).ResourceVersion;
    }
}
