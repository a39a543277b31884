using Microsoft.Extensions.Logging;

namespace Vipd.Kubernetes.Controller;

/// <summary>Logs of the controller (EventIds 7200-7299).</summary>
internal static partial class ControllerLog
{
    [LoggerMessage(EventId = 7201, Level = LogLevel.Information, Message = "Service {Service} has {Address} in its status")]
    public static partial void StatusWritten(this ILogger logger, string service, string address);

    [LoggerMessage(EventId = 7202, Level = LogLevel.Warning, Message = "Service {Service} got no address: {Reason}: {Message}")]
    public static partial void AllocationFailed(this ILogger logger, string service, string reason, string message);

    [LoggerMessage(EventId = 7203, Level = LogLevel.Warning, Message = "Could not write the status of {Service}; retrying: {Reason}")]
    public static partial void StatusWriteFailed(this ILogger logger, string service, string reason);

    [LoggerMessage(EventId = 7210, Level = LogLevel.Information, Message = "Applied {Count} VIPs to vipd: {Added} added, {Changed} changed, {Removed} removed")]
    public static partial void Applied(this ILogger logger, int count, int added, int changed, int removed);

    [LoggerMessage(EventId = 7211, Level = LogLevel.Warning, Message = "Could not apply the VIP set to vipd at {Socket}; retrying in {DelayMs} ms: {Reason}")]
    public static partial void ApplyFailed(this ILogger logger, string socket, long delayMs, string reason);

    [LoggerMessage(EventId = 7214, Level = LogLevel.Error, Message = "A controller pass failed; retrying: {Reason}")]
    public static partial void PassFailed(this ILogger logger, string reason);

    [LoggerMessage(EventId = 7212, Level = LogLevel.Information, Message = "API server unreachable: keeping the last applied VIP set until it is back")]
    public static partial void KeepingLastSet(this ILogger logger);

    [LoggerMessage(EventId = 7213, Level = LogLevel.Information, Message = "API server reachable again: resynchronised")]
    public static partial void Resynchronised(this ILogger logger);
}
