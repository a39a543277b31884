
namespace Vipctl.Commands;

/// <summary><c>vipctl version</c> and <c>vipctl --version</c>: the VersionPrefix of Directory.Build.props.</summary>
internal sealed class VersionCommand : VipctlCommand
{
    public VersionCommand(CliEnvironment environment, GlobalOptions options)
        : base("version", "Print vipctl's version (vipctl status shows the daemon's)", environment, options)
    {
    }

    protected override Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken)
    {
        context.Out.WriteLine(context.Json ? $"{{\"version\": \"{VersionInfo.Version}\"}}" : $"vipctl {VersionInfo.Version}");
        return Task.FromResult(ExitCodes.Ok);
    }
}
