using System.CommandLine;

namespace Vipd.Commands;

/// <summary>The <c>--config FILE</c> option every command shares (DESIGN.md contract).</summary>
internal static class ConfigOption
{
    public const string DefaultPath = "/etc/vipd/vipd.toml";

    public static Option<string> Create() => new("--config", "-c")
    {
        Description = "The config file",
        DefaultValueFactory = _ => DefaultPath,
    };
}
