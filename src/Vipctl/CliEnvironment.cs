namespace Vipctl;

/// <summary>What vipctl reads from its surroundings; tests pass their own writers, variables and clock.</summary>
internal sealed record CliEnvironment
{
    /// <summary>The socket used when neither <c>--socket</c> nor <c>VIPD_SOCKET</c> names one.</summary>
    public const string DefaultSocket = "/run/vipd/vipd.sock";

    public required TextWriter Output { get; init; }

    public required TextWriter Error { get; init; }

    /// <summary>Standard input (<c>vip apply --source S -</c>).</summary>
    public required TextReader Input { get; init; }

    /// <summary>Reads an environment variable (<c>VIPD_SOCKET</c>, <c>NO_COLOR</c>, <c>TERM</c>).</summary>
    public required Func<string, string?> GetVariable { get; init; }

    /// <summary>Standard output is a terminal (colour is allowed).</summary>
    public required bool OutputIsTerminal { get; init; }

    public required TimeProvider Time { get; init; }

    /// <summary>The process's console, variables and clock.</summary>
    public static CliEnvironment FromConsole() => new()
    {
        Output = StandardOutput.Open(),
        Error = Console.Error,
        Input = Console.In,
        GetVariable = Environment.GetEnvironmentVariable,
        OutputIsTerminal = !Console.IsOutputRedirected,
        Time = TimeProvider.System,
    };

    /// <summary>Colour only on a terminal, never with <c>NO_COLOR</c> set (https://no-color.org) or <c>TERM=dumb</c>.</summary>
    public bool UseColor =>
        OutputIsTerminal && string.IsNullOrEmpty(GetVariable("NO_COLOR")) && GetVariable("TERM") != "dumb";

    /// <summary><c>--socket</c>, else <c>VIPD_SOCKET</c>, else the default.</summary>
    public string ResolveSocket(string? option)
    {
        if (!string.IsNullOrEmpty(option))
        {
            return option;
        }

        var variable = GetVariable("VIPD_SOCKET");
        return string.IsNullOrEmpty(variable) ? DefaultSocket : variable;
    }
}
