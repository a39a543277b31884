using System.CommandLine;
using Grpc.Core;
using Vipctl.Connection;

namespace Vipctl.Commands;

/// <summary>
/// The base of every verb: builds the <see cref="CommandContext"/>, runs <see cref="ExecuteAsync"/> and turns a
/// failed call into one line on stderr and a named exit code (<see cref="Failure"/>).
/// </summary>
internal abstract class VipctlCommand : Command
{
    private readonly CliEnvironment _environment;
    private readonly GlobalOptions _options;

    protected VipctlCommand(string name, string description, CliEnvironment environment, GlobalOptions options)
        : base(name, description)
    {
        _environment = environment;
        _options = options;
        SetAction(InvokeAsync);
    }

    protected abstract Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken);

    private async Task<int> InvokeAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        using var context = new CommandContext(parse, _environment, _options);
        try
        {
            return await ExecuteAsync(context, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }
        catch (IOException ex) when (StandardOutput.IsBrokenPipe(ex))
        {
            return ExitCodes.Ok;
        }
        catch (RpcException ex)
        {
            var (code, message) = Failure.Describe(ex, context.SocketPath);
            context.Fail(message);
            return code;
        }
    }
}
