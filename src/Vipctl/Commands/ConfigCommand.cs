using System.CommandLine;

namespace Vipctl.Commands;

/// <summary><c>vipctl config check FILE</c>: offline config validation.</summary>
internal sealed class ConfigCommand : Command
{
    public ConfigCommand(CliEnvironment environment, GlobalOptions options)
        : base("config", "Work with vipd config files (offline)")
    {
        Subcommands.Add(new ConfigCheckCommand(environment, options));
    }
}
