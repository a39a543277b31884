using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Compact;
using Vipd.Core.Text;

namespace Vipd.Hosting;

/// <summary>
/// Serilog, wired once: journald priority prefixes under systemd (<c>&lt;6&gt;message</c>, so <c>journalctl -p</c>
/// works), a readable console otherwise, compact JSON on request.
/// </summary>
internal static class Logging
{
    private const string ConsoleTemplate =
        "{Timestamp:HH:mm:ss.fff} {Level:u3} {Message:lj}{NewLine}{Exception}";

    private const string JournalTemplate = "<{SyslogPriority}>{Message:lj}{NewLine}{Exception}";

    /// <summary>True when stderr goes to the journal (systemd sets JOURNAL_STREAM for the service's stdio).</summary>
    public static bool UnderJournal => Environment.GetEnvironmentVariable("JOURNAL_STREAM") is { Length: > 0 };

    public static Logger Create(LogEventLevel level, bool json)
    {
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(level)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            // Grpc.AspNetCore logs every client error (NOT_FOUND, INVALID_ARGUMENT...) at Information, with the
            // caller's text: an API caller could fill the journal. vipd logs the calls that matter itself.
            .MinimumLevel.Override("Grpc", LogEventLevel.Warning)
            .Enrich.With(new ControlCharacterEscaper())
            .Enrich.With(new SyslogPriorityEnricher());
        if (json)
        {
            configuration.WriteTo.Console(new CompactJsonFormatter(), standardErrorFromLevel: LogEventLevel.Verbose);
        }
        else if (UnderJournal)
        {
            configuration.WriteTo.Console(outputTemplate: JournalTemplate, standardErrorFromLevel: LogEventLevel.Verbose, formatProvider: null);
        }
        else
        {
            configuration.WriteTo.Console(outputTemplate: ConsoleTemplate, standardErrorFromLevel: LogEventLevel.Verbose, formatProvider: null);
        }

        return configuration.CreateLogger();
    }

    /// <summary>Parses a level name as the config and <c>--log-level</c> spell it.</summary>
    public static LogEventLevel ParseLevel(string? name) => name?.ToUpperInvariant() switch
    {
        "TRACE" or "VERBOSE" => LogEventLevel.Verbose,
        "DEBUG" => LogEventLevel.Debug,
        "WARNING" or "WARN" => LogEventLevel.Warning,
        "ERROR" => LogEventLevel.Error,
        _ => LogEventLevel.Information,
    };

    /// <summary>
    /// Escapes control characters in string properties (<c>\n</c>, <c>\x1b</c>...; <see cref="ControlCharacters"/>): peer node names, VIP names and
    /// API arguments come from the network or a caller, and a raw newline would forge a log line (one journal entry per
    /// line) or an escape sequence would rewrite the operator's terminal.
    /// </summary>
    internal sealed class ControlCharacterEscaper : ILogEventEnricher
    {
        public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
        {
            List<LogEventProperty>? replaced = null;
            foreach (var (name, value) in logEvent.Properties)
            {
                if (value is ScalarValue { Value: string text } && ControlCharacters.Any(text))
                {
                    (replaced ??= []).Add(new LogEventProperty(name, new ScalarValue(ControlCharacters.Escape(text))));
                }
            }

            foreach (var property in replaced ?? [])
            {
                logEvent.AddOrUpdateProperty(property);
            }
        }
    }

    /// <summary>Adds <c>SyslogPriority</c> (RFC 5424 severity) for sd-daemon(3) style prefixes.</summary>
    private sealed class SyslogPriorityEnricher : ILogEventEnricher
    {
        private static readonly LogEventProperty[] Priorities =
        [
            new("SyslogPriority", new ScalarValue(7)), // Verbose → debug
            new("SyslogPriority", new ScalarValue(7)), // Debug → debug
            new("SyslogPriority", new ScalarValue(6)), // Information → info
            new("SyslogPriority", new ScalarValue(4)), // Warning → warning
            new("SyslogPriority", new ScalarValue(3)), // Error → err
            new("SyslogPriority", new ScalarValue(2)), // Fatal → crit
        ];

        public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory) =>
            logEvent.AddPropertyIfAbsent(Priorities[(int)logEvent.Level]);
    }
}
