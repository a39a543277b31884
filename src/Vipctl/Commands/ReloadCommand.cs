using Google.Protobuf;
using Grpc.Core;
using Vipctl.Output;
using Vipd.Api.V1;
using Vipd.Core.Text;

namespace Vipctl.Commands;

/// <summary><c>vipctl reload</c>: re-read the config file as SIGHUP does; a bad file is refused and the running config stays.</summary>
internal sealed class ReloadCommand(CliEnvironment environment, GlobalOptions options)
    : VipctlCommand("reload", "Re-read the config file (as SIGHUP); a bad file is refused with its errors and the running config stays", environment, options)
{
    /// <summary>
    /// The binary trailer in which vipd returns the whole <see cref="ReloadResponse"/> of a refused reload
    /// (FAILED_PRECONDITION), so the errors arrive as structured <c>FILE:LINE:COL</c> records.
    /// </summary>
    public const string ReloadResultTrailer = "vipd-reload-result-bin";

    protected override async Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken)
    {
        ReloadResponse response;
        try
        {
            response = await context.Client.ReloadAsync(new ReloadRequest(), deadline: CommandContext.Deadline(), cancellationToken: cancellationToken);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.FailedPrecondition && RefusedResult(ex) is { } refused)
        {
            response = refused;
        }

        var result = response.Result ?? new ReloadResult();
        if (context.Json)
        {
            JsonOutput.Write(context.Out, response);
        }
        else if (result.Ok)
        {
            context.Out.WriteLine("reloaded: " + Summary(result));
        }

        if (!result.Ok)
        {
            foreach (var error in result.Errors)
            {
                context.Environment.Error.WriteLine(ControlCharacters.Escape($"{error.File}:{error.Line}:{error.Column}: {error.Message}"));
            }

            context.Fail("reload refused: the running config stays");
            return ExitCodes.Failure;
        }

        return ExitCodes.Ok;
    }

    private static ReloadResponse? RefusedResult(RpcException exception)
    {
        var entry = exception.Trailers.Get(ReloadResultTrailer);
        if (entry is null || !entry.IsBinary)
        {
            return null;
        }

        try
        {
            var response = ReloadResponse.Parser.ParseFrom(entry.ValueBytes);
            return response.Result is { Ok: false } ? response : null;
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    /// <summary><c>ok sha256:0123456789ab (added: a; removed: b; changed: c)</c> or <c>failed: 2 error(s): first</c>.</summary>
    internal static string Summary(ReloadResult result) => ControlCharacters.Escape(result.Ok
        ? $"ok {StatusCommand.ShortDigest(result.ConfigDigest)} ({Changes(result)})"
        : $"failed: {result.Errors.Count} error(s){(result.Errors.Count > 0 ? $": {result.Errors[0].File}:{result.Errors[0].Line}:{result.Errors[0].Column}: {result.Errors[0].Message}" : string.Empty)}");

    internal static string Changes(ReloadResult result)
    {
        var parts = new List<string>();
        if (result.Added.Count > 0)
        {
            parts.Add($"added {Words.List(result.Added)}");
        }

        if (result.Removed.Count > 0)
        {
            parts.Add($"removed {Words.List(result.Removed)}");
        }

        if (result.Changed.Count > 0)
        {
            parts.Add($"changed {Words.List(result.Changed)}");
        }

        if (result.RestartRequired.Count > 0)
        {
            parts.Add($"restart needed for {string.Join(", ", result.RestartRequired)} (systemctl restart vipd)");
        }

        return parts.Count == 0 ? "no change" : string.Join("; ", parts);
    }
}
