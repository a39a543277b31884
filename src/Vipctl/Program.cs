using Vipctl;

return await Cli.InvokeAsync(args, CliEnvironment.FromConsole()).ConfigureAwait(false);
