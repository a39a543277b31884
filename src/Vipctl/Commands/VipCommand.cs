using System.CommandLine;

namespace Vipctl.Commands;

/// <summary><c>vipctl vip apply|remove</c>: the dynamic VIPs of a named source.</summary>
internal sealed class VipCommand : Command
{
    public VipCommand(CliEnvironment environment, GlobalOptions options)
        : base("vip", "Dynamic VIPs of a named source (automation): apply a set, remove some or all")
    {
        Subcommands.Add(new VipApplyCommand(environment, options));
        Subcommands.Add(new VipRemoveCommand(environment, options));
    }
}
