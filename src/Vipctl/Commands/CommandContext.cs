using System.CommandLine;
using Vipctl.Connection;
using Vipctl.Output;
using Vipd.Api.V1;
using Vipd.Core.Text;

namespace Vipctl.Commands;

/// <summary>One invocation: where output goes, in which format, and the daemon connection (opened on first use).</summary>
internal sealed class CommandContext : IDisposable
{
    /// <summary>How long a unary call may take before vipctl gives up (plus a drain's own wait).</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);

    private DaemonConnection? _connection;

    public CommandContext(ParseResult parse, CliEnvironment environment, GlobalOptions options)
    {
        ArgumentNullException.ThrowIfNull(parse);
        Parse = parse;
        Environment = environment;
        Format = parse.GetValue(options.Output) == GlobalOptions.Json ? OutputFormat.Json : OutputFormat.Table;
        SocketPath = environment.ResolveSocket(parse.GetValue(options.Socket));
    }

    public ParseResult Parse { get; }

    public CliEnvironment Environment { get; }

    public OutputFormat Format { get; }

    public bool Json => Format == OutputFormat.Json;

    public string SocketPath { get; }

    public TextWriter Out => Environment.Output;

    public bool Color => Environment.UseColor;

    public TimeProvider Time => Environment.Time;

    public VipdService.VipdServiceClient Client => (_connection ??= DaemonConnection.Open(SocketPath)).Client;

    /// <summary>
    /// The deadline of a unary call: now + <see cref="CallTimeout"/> + <paramref name="extra"/>. gRPC compares it with
    /// the system clock, so it is read from there (<see cref="Time"/> only renders "ago" columns).
    /// </summary>
    public static DateTime Deadline(TimeSpan extra = default) => TimeProvider.System.GetUtcNow().UtcDateTime + CallTimeout + extra;

    /// <summary>A one-line message on stderr, prefixed "vipctl: ", control characters escaped (a daemon's error detail may echo a peer's text).</summary>
    public void Fail(string message) => Environment.Error.WriteLine($"vipctl: {ControlCharacters.Escape(message)}");

    public void Dispose() => _connection?.Dispose();
}
