using System.Net;
using Microsoft.Extensions.Logging;

namespace Vipd.Core.Intents;

/// <summary>Log messages of the intent store and its replication, EventIds 8400-8449.</summary>
internal static partial class IntentLog
{
    [LoggerMessage(EventId = 8400, Level = LogLevel.Information,
        Message = "Dynamic source {Source} is now version {Version}: {Applied} VIPs applied, {Removed} removed (from {Reason})")]
    public static partial void SourceChanged(this ILogger logger, string source, string version, int applied, int removed, string reason);

    [LoggerMessage(EventId = 8401, Level = LogLevel.Information, Message = "VIP {Vip} now prefers node {Node} (version {Version}, from {Reason})")]
    public static partial void PreferenceChanged(this ILogger logger, string vip, string node, string version, string reason);

    [LoggerMessage(EventId = 8402, Level = LogLevel.Error, Message = "An intent change handler failed for {Source}")]
    public static partial void HandlerFailed(this ILogger logger, string source, Exception exception);

    [LoggerMessage(EventId = 8403, Level = LogLevel.Debug, Message = "Dropped an intent message from {Peer}: {Reason} ({Suppressed} more not logged)")]
    public static partial void Dropped(this ILogger logger, IPEndPoint peer, string reason, long suppressed);

    [LoggerMessage(EventId = 8404, Level = LogLevel.Error, Message = "Processing an intent message from {Peer} failed")]
    public static partial void ProcessingFailed(this ILogger logger, IPEndPoint peer, Exception exception);
}
