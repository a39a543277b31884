using System.CommandLine;

namespace Vipctl.Commands;

/// <summary>The options every command takes (recursive on the root): <c>--socket PATH</c> and <c>-o table|json</c>.</summary>
internal sealed class GlobalOptions
{
    public const string Table = "table";
    public const string Json = "json";

    public GlobalOptions()
    {
        Output.AcceptOnlyFromAmong(Table, Json);
    }

    public Option<string?> Socket { get; } = new("--socket")
    {
        Description = $"vipd's API socket (default: $VIPD_SOCKET, else {CliEnvironment.DefaultSocket})",
        HelpName = "PATH",
        Recursive = true,
    };

    public Option<string> Output { get; } = new("--output", "-o")
    {
        Description = "Output format: table (for people) or json (for scripts: the API's messages, proto field names)",
        DefaultValueFactory = _ => Table,
        Recursive = true,
    };
}
