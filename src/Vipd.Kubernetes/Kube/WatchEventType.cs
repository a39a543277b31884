namespace Vipd.Kubernetes.Kube;

/// <summary>The <c>type</c> of one line of a watch stream.</summary>
internal enum WatchEventType
{
    Added,
    Modified,
    Deleted,
    Bookmark,
}
