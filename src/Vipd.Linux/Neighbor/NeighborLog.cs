using System.Net;
using Microsoft.Extensions.Logging;

namespace Vipd.Linux.Neighbor;

/// <summary>Log messages of the neighbor area (EventId 3100–3199).</summary>
internal static partial class NeighborLog
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning,
        Message = "Address {Vip} claimed by {Mac} on interface {Interface} ({Kind})")]
    public static partial void ConflictDetected(this ILogger logger, IPAddress vip, string mac, int @interface, string kind);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Error,
        Message = "Receiving {Kind} frames failed: {Reason}")]
    public static partial void ReceiveFailed(this ILogger logger, string kind, string reason);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning,
        Message = "No kernel filter for {Kind} frames, filtering in user space: {Reason}")]
    public static partial void FilterUnavailable(this ILogger logger, string kind, string reason);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Error,
        Message = "The conflict handler failed for {Vip}: {Reason}")]
    public static partial void HandlerFailed(this ILogger logger, IPAddress vip, string reason);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Debug,
        Message = "Dropped a {Kind} frame on interface {Interface}: {Reason}")]
    public static partial void FrameDropped(this ILogger logger, string kind, int @interface, FrameDropReason reason);
}
