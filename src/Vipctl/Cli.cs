using System.CommandLine;
using System.CommandLine.Invocation;
using Vipctl.Commands;

namespace Vipctl;

/// <summary>vipctl's command tree and its invocation: parse errors exit 2, unexpected errors one line and exit 70.</summary>
internal static class Cli
{
    public static RootCommand CreateRoot(CliEnvironment environment)
    {
        var options = new GlobalOptions();
        var root = new RootCommand(
            "vipctl: observe and steer vipd through its gRPC API (vipd.v1) on the Unix socket.\n" + ExitCodes.HelpText + ".");
        root.Options.Add(options.Socket);
        root.Options.Add(options.Output);
        foreach (var option in root.Options)
        {
            if (option is VersionOption version)
            {
                version.Action = new VersionAction(environment);
            }
        }

        root.Subcommands.Add(new StatusCommand(environment, options));
        root.Subcommands.Add(new VipsCommand(environment, options));
        root.Subcommands.Add(new MembersCommand(environment, options));
        root.Subcommands.Add(new ExplainCommand(environment, options));
        root.Subcommands.Add(new WatchCommand(environment, options));
        root.Subcommands.Add(new DrainCommand(environment, options));
        root.Subcommands.Add(new UndrainCommand(environment, options));
        root.Subcommands.Add(new MoveCommand(environment, options));
        root.Subcommands.Add(new MaintenanceCommand(environment, options));
        root.Subcommands.Add(new ReloadCommand(environment, options));
        root.Subcommands.Add(new VipCommand(environment, options));
        root.Subcommands.Add(new ConfigCommand(environment, options));
        root.Subcommands.Add(new VersionCommand(environment, options));
        return root;
    }

    public static async Task<int> InvokeAsync(string[] args, CliEnvironment environment, CancellationToken cancellationToken = default)
    {
        var root = CreateRoot(environment);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is ParseErrorAction)
        {
            foreach (var error in parse.Errors)
            {
                environment.Error.WriteLine($"vipctl: {error.Message}");
            }

            environment.Error.WriteLine("Try 'vipctl --help'.");
            return ExitCodes.Usage;
        }

        if (parse.Action is null && parse.CommandResult.Command is { } command && command.Subcommands.Count > 0)
        {
            // A group alone ("vipctl", "vipctl vip"): its help, and a usage exit.
            environment.Error.WriteLine($"vipctl: {(command is RootCommand ? "a command is required" : $"'{command.Name}' needs a subcommand")}");
            environment.Error.WriteLine("Try 'vipctl --help'.");
            return ExitCodes.Usage;
        }

        var configuration = new InvocationConfiguration
        {
            Output = environment.Output,
            Error = environment.Error,
            EnableDefaultExceptionHandler = false,
        };
        try
        {
            return await parse.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex) when (StandardOutput.IsBrokenPipe(ex))
        {
            return ExitCodes.Ok;
        }
        catch (Exception ex)
        {
            environment.Error.WriteLine($"vipctl: internal error: {ex.GetType().Name}: {ex.Message}");
            return ExitCodes.Internal;
        }
    }
}
