using System.CommandLine;
using System.CommandLine.Invocation;

namespace Vipctl.Commands;

/// <summary>The action of the root's <c>--version</c>: the same line as <c>vipctl version</c>.</summary>
internal sealed class VersionAction(CliEnvironment environment) : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        environment.Output.WriteLine($"vipctl {VersionInfo.Version}");
        return ExitCodes.Ok;
    }
}
