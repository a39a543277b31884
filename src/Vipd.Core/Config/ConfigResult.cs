using System.Diagnostics.CodeAnalysis;

namespace Vipd.Core.Config;

/// <summary>The outcome of loading a config: the config, or every error found in it.</summary>
public sealed record ConfigResult
{
    private ConfigResult(VipdConfig? config, EquatableArray<ConfigError> errors)
    {
        Config = config;
        Errors = errors;
    }

    /// <summary>The config; null when <see cref="Errors"/> is not empty.</summary>
    public VipdConfig? Config { get; }

    /// <summary>Every error, in file order; empty on success.</summary>
    public EquatableArray<ConfigError> Errors { get; }

    /// <summary>True when the config loaded without errors.</summary>
    [MemberNotNullWhen(true, nameof(Config))]
    public bool IsValid => Config is not null;

    public static ConfigResult Success(VipdConfig config) => new(config, default);

    public static ConfigResult Failure(EquatableArray<ConfigError> errors) => new(null, errors);
}
