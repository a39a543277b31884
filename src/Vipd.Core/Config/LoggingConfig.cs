using Microsoft.Extensions.Logging;

namespace Vipd.Core.Config;

/// <summary><c>[logging]</c>.</summary>
public sealed record LoggingConfig
{
    /// <summary>The minimum level logged.</summary>
    public required LogLevel Level { get; init; }

    public required LogFormat Format { get; init; }
}
