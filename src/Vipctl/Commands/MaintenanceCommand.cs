using System.CommandLine;
using Vipctl.Output;
using Vipd.Api.V1;

namespace Vipctl.Commands;

/// <summary><c>vipctl maintenance on|off</c>: this node stops (or resumes) being eligible for every VIP.</summary>
internal sealed class MaintenanceCommand : VipctlCommand
{
    private readonly Argument<string> _state = new("on|off") { Description = "on: not eligible for any VIP; off: eligible again" };

    public MaintenanceCommand(CliEnvironment environment, GlobalOptions options)
        : base("maintenance", "Put this node in maintenance (eligible for no VIP, keepalived's FAULT) or take it out", environment, options)
    {
        _state.AcceptOnlyFromAmong("on", "off");
        Arguments.Add(_state);
    }

    protected override async Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var enabled = context.Parse.GetValue(_state) == "on";
        var response = await context.Client.SetMaintenanceAsync(new SetMaintenanceRequest { Enabled = enabled }, deadline: CommandContext.Deadline(), cancellationToken: cancellationToken);
        if (context.Json)
        {
            JsonOutput.Write(context.Out, response);
            return ExitCodes.Ok;
        }

        var mode = Words.Mode(response.Mode);
        context.Out.WriteLine(enabled
            ? $"maintenance on: this node is eligible for no VIP (mode {Ansi.Paint(mode.Text, mode.Color, context.Color)})"
            : $"maintenance off: this node is eligible again (mode {Ansi.Paint(mode.Text, mode.Color, context.Color)})");
        return ExitCodes.Ok;
    }
}
