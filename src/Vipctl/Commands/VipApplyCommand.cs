using System.CommandLine;
using Google.Protobuf;
using Vipctl.Output;
using Vipd.Api.V1;

namespace Vipctl.Commands;

/// <summary>
/// <c>vipctl vip apply --source S [--replace] FILE|-</c>: apply the dynamic VIPs in a JSON file (or stdin). The file
/// is an <c>ApplyVipsRequest</c> in protobuf's JSON mapping without its source: <c>{"vips": [{"name": "web",
/// "address": "192.0.2.200/24", ...}]}</c>; field names as in the .proto (<c>allowed_nodes</c>) or lowerCamelCase.
/// </summary>
internal sealed class VipApplyCommand : VipctlCommand
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default);

    private readonly Option<string> _source = SourceOption.Create();

    private readonly Option<bool> _replace = new("--replace")
    {
        Description = "The file is the source's whole set: the source's VIPs not in it are removed",
    };

    private readonly Argument<string> _file = new("FILE")
    {
        Description = "A JSON file {\"vips\": [{\"name\", \"address\", \"interface\", \"allowed_nodes\", \"preempt\", \"preempt_delay\", \"priority\", \"priorities\"}]}, or - for stdin",
    };

    public VipApplyCommand(CliEnvironment environment, GlobalOptions options)
        : base("apply", "Add or change the dynamic VIPs of a source from a JSON file (- for stdin); replicated to every node", environment, options)
    {
        Options.Add(_source);
        Options.Add(_replace);
        Arguments.Add(_file);
    }

    protected override async Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var source = context.Parse.GetValue(_source)!;
        var file = context.Parse.GetValue(_file)!;
        string text;
        try
        {
            text = file == "-"
                ? await context.Environment.Input.ReadToEndAsync(cancellationToken)
                : await File.ReadAllTextAsync(file, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            context.Fail($"cannot read {file}: {Why(ex)}");
            return ExitCodes.Usage;
        }

        ApplyVipsRequest request;
        try
        {
            request = Parser.Parse<ApplyVipsRequest>(text);
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or InvalidJsonException or FormatException)
        {
            context.Fail($"{(file == "-" ? "stdin" : file)}: not a VIP file: {ex.Message}");
            return ExitCodes.Usage;
        }

        if (request.Source.Length > 0 && request.Source != source)
        {
            context.Fail($"{file} names source \"{request.Source}\" but --source is \"{source}\"");
            return ExitCodes.Usage;
        }

        request.Source = source;
        request.Replace |= context.Parse.GetValue(_replace);
        var response = await context.Client.ApplyVipsAsync(request, deadline: CommandContext.Deadline(), cancellationToken: cancellationToken);
        if (context.Json)
        {
            JsonOutput.Write(context.Out, response);
            return ExitCodes.Ok;
        }

        context.Out.WriteLine($"source {source} version {response.Version}: added {Words.OrNone(Words.List(response.Added))}; "
            + $"changed {Words.OrNone(Words.List(response.Changed))}; unchanged {Words.OrNone(Words.List(response.Unchanged))}; "
            + $"removed {Words.OrNone(Words.List(response.Removed))}");
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Our own words for a file error: the published binary uses resource keys, not the runtime's sentences
    /// (<c>UseSystemResourceKeys</c>).
    /// </summary>
    private static string Why(Exception exception) => exception switch
    {
        FileNotFoundException or DirectoryNotFoundException => "no such file",
        UnauthorizedAccessException => "permission denied",
        _ => exception.Message,
    };
}
