using System.Net;
using Microsoft.Extensions.Logging;

namespace Vipd.Core.Reconcile;

/// <summary>Log messages of the announcer; EventIds 5000–5099.</summary>
internal static partial class AnnouncerLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "VIP {Vip} ({Address}) acquired on {Interface}")]
    public static partial void VipAcquired(this ILogger logger, string vip, IPAddress address, string @interface);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "VIP {Vip} ({Address}) released from {Interface}")]
    public static partial void VipReleased(this ILogger logger, string vip, IPAddress address, string @interface);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "VIP {Vip} ({Address}) repaired on {Interface}: {Reason}")]
    public static partial void VipRepaired(this ILogger logger, string vip, IPAddress address, string @interface, string reason);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "VIP {Vip} ({Address}) claimed by {Mac} ({Reason}); re-announcing")]
    public static partial void VipConflict(this ILogger logger, string vip, IPAddress address, string mac, string reason);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Debug, Message = "Conflict for VIP {Vip} ({Address}) from {Mac} not answered: re-announced moments ago")]
    public static partial void ConflictSuppressed(this ILogger logger, string vip, IPAddress address, string mac);

    [LoggerMessage(EventId = 5020, Level = LogLevel.Information, Message = "VIP {Vip} ({Address}) announced by {Mac} while this node hands it over or lets it go: not answered")]
    public static partial void ConflictYielded(this ILogger logger, string vip, IPAddress address, string mac);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Error, Message = "VIP {Vip}: {Reason}")]
    public static partial void VipError(this ILogger logger, string vip, string reason, Exception? exception);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Error, Message = "Announcer: {Reason}")]
    public static partial void AnnouncerError(this ILogger logger, string reason, Exception? exception);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Debug, Message = "Announced VIP {Vip} ({Address}) on {Interface}, step {Step}")]
    public static partial void Announced(this ILogger logger, string vip, IPAddress address, string @interface, int step);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Information, Message = "Cleanup removed {Count} vipd addresses")]
    public static partial void CleanedUp(this ILogger logger, int count);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Warning, Message = "Reconcile failed; retrying in {ElapsedMs} ms")]
    public static partial void RetryScheduled(this ILogger logger, long elapsedMs);
}
