namespace Vipd.Kubernetes.Kube;

/// <summary>Where a <see cref="ResourceWatcher{T, TList}"/> delivers what it learns.</summary>
internal interface IResourceSink<in T>
{
    /// <summary>A complete list: everything not in it is gone.</summary>
    void Replace(IEnumerable<T> items);

    void Upsert(T item);

    void Delete(T item);

    /// <summary>Whether the watch is connected and current (false while the API server is unreachable).</summary>
    void SetConnected(bool connected);
}
