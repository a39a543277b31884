using Microsoft.Extensions.Logging;

namespace Vipd.Linux.Netlink;

/// <summary>Log messages of the netlink area (EventIds 3100–3199).</summary>
internal static partial class NetlinkLog
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning,
        Message = "Netlink notifications overran the receive buffer; reporting a full resync")]
    public static partial void MonitorOverrun(this ILogger logger);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Error, Message = "Netlink monitor receive failed: {Reason}")]
    public static partial void MonitorReceiveFailed(this ILogger logger, string reason, Exception exception);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Error, Message = "Network change handler failed")]
    public static partial void MonitorHandlerFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Debug, Message = "Malformed netlink notification dropped")]
    public static partial void MonitorMalformed(this ILogger logger);
}
