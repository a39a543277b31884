using Microsoft.Extensions.Time.Testing;

namespace Vipctl.Tests;

/// <summary>One vipctl invocation in process: its exit code, stdout and stderr.</summary>
public sealed record CliRun(int ExitCode, string Output, string Error)
{
    /// <summary>
    /// Runs vipctl with <paramref name="args"/>; <paramref name="variables"/> stand for the environment (nothing
    /// else is read from the real one), <paramref name="terminal"/> says whether stdout is a TTY.
    /// </summary>
    internal static async Task<CliRun> RunAsync(IReadOnlyDictionary<string, string>? variables, bool terminal, string? input, params string[] args)
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        using var reader = new StringReader(input ?? string.Empty);
        var environment = new CliEnvironment
        {
            Output = output,
            Error = error,
            Input = reader,
            GetVariable = name => variables is not null && variables.TryGetValue(name, out var value) ? value : null,
            OutputIsTerminal = terminal,
            Time = new FakeTimeProvider(FakeVipd.Now),
        };
        var code = await Cli.InvokeAsync(args, environment);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    internal static Task<CliRun> RunAsync(params string[] args) => RunAsync(null, false, null, args);
}
