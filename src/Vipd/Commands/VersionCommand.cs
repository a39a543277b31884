using System.CommandLine;
using System.Reflection;
using Vipd.Hosting;

namespace Vipd.Commands;

/// <summary><c>vipd version</c>: the version that Directory.Build.props sets (also printed by <c>--version</c>).</summary>
internal static class VersionCommand
{
    public static string Version { get; } =
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "unknown";

    public static Command Create()
    {
        var command = new Command("version", "Print the version");
        command.SetAction(_ =>
        {
            Console.Out.WriteLine($"vipd {Version}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
