using System.CommandLine;
using Vipd.Core.Config;
using Vipd.Hosting;

namespace Vipd.Commands;

/// <summary>
/// <c>vipd check --config FILE</c>: validates; exit 0, or exit 1 with every error as <c>FILE:LINE:COL: message</c>,
/// or exit 5 when the key file's owner or mode lets others read or change it (<see cref="KeyFilePermissions"/>).
/// </summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var config = ConfigOption.Create();
        var command = new Command("check", "Validate a config file: every error as FILE:LINE:COL: message, exit 1 if any") { config };
        command.SetAction(parse => Run(parse.GetValue(config)!, Console.Out, Console.Error));
        return command;
    }

    public static int Run(string path, TextWriter output, TextWriter errors)
    {
        var result = ConfigLoader.Load(path);
        if (!result.IsValid)
        {
            foreach (var error in result.Errors)
            {
                errors.WriteLine(error.ToString());
            }

            return ExitCodes.ConfigInvalid;
        }

        if (KeyFilePermissions.Check(result.Config.Cluster.KeyFile) is { } keyError)
        {
            errors.WriteLine($"{path}: {keyError}");
            return ExitCodes.KeyFile;
        }

        output.WriteLine($"{path}: ok (node {result.Config.Node.Name}, {result.Config.Vips.Count} VIPs, {result.Config.Checks.Count} checks)");
        return ExitCodes.Ok;
    }
}
