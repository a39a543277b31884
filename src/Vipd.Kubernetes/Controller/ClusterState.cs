using Vipd.Kubernetes.Kube;
using Vipd.Kubernetes.Kube.Models;

namespace Vipd.Kubernetes.Controller;

/// <summary>
/// The last known Services and EndpointSlices, fed by the two watchers. Kept as they are while the API server is
/// unreachable; replaced only by a successful list. Every change bumps <see cref="Version"/> and signals.
/// </summary>
internal sealed class ClusterState : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Service> _services = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EndpointSlice> _slices = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _changed = new(0, 1);
    private bool _servicesListed;
    private bool _slicesListed;
    private bool _servicesConnected;
    private bool _slicesConnected;

    public ClusterState()
    {
        Services = new Sink<Service>(this, _services, s => s.Metadata, () => _servicesListed = true, c => _servicesConnected = c);
        Slices = new Sink<EndpointSlice>(this, _slices, s => s.Metadata, () => _slicesListed = true, c => _slicesConnected = c);
    }

    public IResourceSink<Service> Services { get; }

    public IResourceSink<EndpointSlice> Slices { get; }

    public long Version { get; private set; }

    /// <summary>True when something changed since the last call (at most one pending signal); false after the timeout.</summary>
    public Task<bool> WaitChangedAsync(TimeSpan timeout, CancellationToken ct) => _changed.WaitAsync(timeout, ct);

    /// <summary>Wakes the controller without a change (a retry, leadership).</summary>
    public void Poke()
    {
        lock (_lock)
        {
            Signal();
        }
    }

    public void Dispose() => _changed.Dispose();

    public ClusterSnapshot Snapshot()
    {
        lock (_lock)
        {
            return new ClusterSnapshot(
                [.. _services.Values],
                [.. _slices.Values],
                _servicesListed && _slicesListed,
                _servicesConnected && _slicesConnected,
                Version);
        }
    }

    private void Signal()
    {
        Version++;
        if (_changed.CurrentCount == 0)
        {
            _changed.Release();
        }
    }

    private sealed class Sink<T> : IResourceSink<T>
    {
        private readonly ClusterState _owner;
        private readonly Dictionary<string, T> _items;
        private readonly Func<T, ObjectMeta> _meta;
        private readonly Action _listed;
        private readonly Action<bool> _connected;

        public Sink(ClusterState owner, Dictionary<string, T> items, Func<T, ObjectMeta> meta, Action listed, Action<bool> connected)
        {
            _owner = owner;
            _items = items;
            _meta = meta;
            _listed = listed;
            _connected = connected;
        }

        public void Replace(IEnumerable<T> items)
        {
            lock (_owner._lock)
            {
                _items.Clear();
                foreach (var item in items)
                {
                    _items[Key(item)] = item;
                }

                _listed();
                _owner.Signal();
            }
        }

        public void Upsert(T item)
        {
            lock (_owner._lock)
            {
                _items[Key(item)] = item;
                _owner.Signal();
            }
        }

        public void Delete(T item)
        {
            lock (_owner._lock)
            {
                _items.Remove(Key(item));
                _owner.Signal();
            }
        }

        public void SetConnected(bool connected)
        {
            lock (_owner._lock)
            {
                _connected(connected);
                _owner.Signal();
            }
        }

        private string Key(T item) => $"{_meta(item).Namespace}/{_meta(item).Name}";
    }
}
