using Microsoft.Extensions.Logging;

namespace Vipd.Core.Tests.Intents;

/// <summary>Keeps the errors logged (with their exceptions) so a test can assert there were none.</summary>
internal sealed class ErrorLogger : ILogger
{
    public List<string> Errors { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel >= LogLevel.Error)
        {
            Errors.Add($"{formatter(state, exception)}: {exception}");
        }
    }
}
