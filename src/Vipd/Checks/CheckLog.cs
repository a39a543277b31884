using Microsoft.Extensions.Logging;

namespace Vipd.Checks;

/// <summary>Log messages of the health checks (EventIds 5050–5059; 5001–5010 are the announcer's).</summary>
internal static partial class CheckLog
{
    [LoggerMessage(EventId = 5050, Level = LogLevel.Information, Message = "Check {Check} is passing: {Reason}")]
    public static partial void Passing(ILogger logger, string check, string reason);

    [LoggerMessage(EventId = 5051, Level = LogLevel.Information, Message = "Check {Check} is failing: {Reason}")]
    public static partial void Failing(ILogger logger, string check, string reason);

    [LoggerMessage(EventId = 5055, Level = LogLevel.Information, Message = "Check {Check} is failing: {Reason} (pass {Passes} of {Rise} needed)")]
    public static partial void Rising(ILogger logger, string check, string reason, int passes, int rise);

    [LoggerMessage(EventId = 5052, Level = LogLevel.Information, Message = "Check {Check} value changed to {Value}: {Reason}")]
    public static partial void ValueChanged(ILogger logger, string check, int? value, string reason);

    [LoggerMessage(EventId = 5053, Level = LogLevel.Debug, Message = "Check {Check} run: {Passed} ({Reason})")]
    public static partial void Ran(ILogger logger, string check, bool passed, string reason);

    [LoggerMessage(EventId = 5054, Level = LogLevel.Warning, Message = "Check {Check}: a subscriber of Changed threw")]
    public static partial void SubscriberFailed(ILogger logger, Exception exception, string check);
}
