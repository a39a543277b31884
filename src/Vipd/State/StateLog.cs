using Microsoft.Extensions.Logging;

namespace Vipd.State;

/// <summary>Log messages of the persisted state, EventIds 8450-8499.</summary>
internal static partial class StateLog
{
    [LoggerMessage(EventId = 8450, Level = LogLevel.Error,
        Message = "The intents file {Path} is unreadable ({Reason}); moved it to {MovedTo} and started without dynamic VIPs (peers will send theirs)")]
    public static partial void IntentFileCorrupt(this ILogger logger, string path, string reason, string movedTo);

    [LoggerMessage(EventId = 8451, Level = LogLevel.Warning, Message = "The intents file {Path}: {Count} invalid entries skipped")]
    public static partial void IntentEntriesSkipped(this ILogger logger, string path, int count);

    [LoggerMessage(EventId = 8452, Level = LogLevel.Error, Message = "Saving the intents file {Path} failed; retrying on the next change")]
    public static partial void IntentSaveFailed(this ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 8454, Level = LogLevel.Error,
        Message = "The intents file {Path} cannot be read ({Reason}); started without dynamic VIPs (peers will send theirs)")]
    public static partial void IntentFileUnreadable(this ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 8453, Level = LogLevel.Information, Message = "Loaded {Sources} dynamic sources and {Preferences} preferences from {Path}")]
    public static partial void IntentFileLoaded(this ILogger logger, int sources, int preferences, string path);
}
