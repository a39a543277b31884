using System.CommandLine;
using Google.Protobuf.WellKnownTypes;
using Vipctl.Output;
using Vipd.Api.V1;

namespace Vipctl.Commands;

/// <summary>
/// <c>vipctl drain [--wait DURATION]</c>: hand every VIP of this node over (make-before-break) and hold nothing
/// until <c>undrain</c>. With <c>--wait</c>, exit 1 if VIPs are still held when the wait ends.
/// </summary>
internal sealed class DrainCommand : VipctlCommand
{
    private readonly Option<string?> _wait = new("--wait")
    {
        Description = "Wait up to this long (\"10s\", \"1m\") for every VIP to be handed over; exit 1 if some are still held",
        HelpName = "DURATION",
    };

    public DrainCommand(CliEnvironment environment, GlobalOptions options)
        : base("drain", "Hand this node's VIPs over to the next-best nodes and hold nothing until undrain", environment, options)
    {
        Options.Add(_wait);
        _wait.Validators.Add(result =>
        {
            var text = result.GetValueOrDefault<string?>();
            if (text is not null && !Vipd.Core.Config.Duration.TryParse(text, out _, out var error))
            {
                result.AddError($"--wait: {error}");
            }
        });
    }

    protected override async Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var text = context.Parse.GetValue(_wait);
        var wait = TimeSpan.Zero;
        if (text is not null && !Vipd.Core.Config.Duration.TryParse(text, out wait, out var error))
        {
            context.Fail($"--wait: {error}");
            return ExitCodes.Usage;
        }

        var request = new DrainRequest { Wait = wait > TimeSpan.Zero ? Duration.FromTimeSpan(wait) : null };
        var response = await context.Client.DrainAsync(request, deadline: CommandContext.Deadline(wait), cancellationToken: cancellationToken);
        var code = wait > TimeSpan.Zero && !response.Complete ? ExitCodes.Failure : ExitCodes.Ok;
        if (context.Json)
        {
            JsonOutput.Write(context.Out, response);
        }
        else if (response.Complete)
        {
            context.Out.WriteLine("drained: this node holds no VIP (undrain to make it eligible again)");
        }
        else
        {
            context.Out.WriteLine($"draining: still holding {Words.OrNone(Words.List(response.StillHeld))}");
        }

        if (code != ExitCodes.Ok)
        {
            context.Fail($"drain not complete after {Words.Span(wait)}: still holding {Words.List(response.StillHeld)}");
        }

        return code;
    }
}
