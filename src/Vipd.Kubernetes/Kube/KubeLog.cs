using Microsoft.Extensions.Logging;

namespace Vipd.Kubernetes.Kube;

/// <summary>Logs of the Kubernetes side (EventIds 7100-7199).</summary>
internal static partial class KubeLog
{
    [LoggerMessage(EventId = 7101, Level = LogLevel.Debug, Message = "Listed {Path} at resourceVersion {ResourceVersion}")]
    public static partial void Listed(this ILogger logger, string path, string resourceVersion);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Information, Message = "Watch of {Path} expired at resourceVersion {ResourceVersion} (410 Gone): listing again")]
    public static partial void WatchGone(this ILogger logger, string path, string resourceVersion);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Warning, Message = "Watch of {Path} failed, retrying in {DelayMs} ms; the last known state is kept: {Reason}")]
    public static partial void WatchFailed(this ILogger logger, string path, long delayMs, string reason);

    [LoggerMessage(EventId = 7110, Level = LogLevel.Information, Message = "Became the allocator: holding lease {Lease}")]
    public static partial void LeaseAcquired(this ILogger logger, string lease);

    [LoggerMessage(EventId = 7111, Level = LogLevel.Warning, Message = "Stopped being the allocator: lease {Lease} {Reason}")]
    public static partial void LeaseLost(this ILogger logger, string lease, string reason);

    [LoggerMessage(EventId = 7112, Level = LogLevel.Debug, Message = "Lease {Lease} call failed: {Reason}")]
    public static partial void LeaseCallFailed(this ILogger logger, string lease, string reason);
}
