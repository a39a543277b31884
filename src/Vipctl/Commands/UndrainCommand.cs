using Vipctl.Output;
using Vipd.Api.V1;

namespace Vipctl.Commands;

/// <summary><c>vipctl undrain</c>: this node is eligible again after a drain.</summary>
internal sealed class UndrainCommand(CliEnvironment environment, GlobalOptions options)
    : VipctlCommand("undrain", "End a drain: this node is eligible for VIPs again", environment, options)
{
    protected override async Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var response = await context.Client.UndrainAsync(new UndrainRequest(), deadline: CommandContext.Deadline(), cancellationToken: cancellationToken);
        if (context.Json)
        {
            JsonOutput.Write(context.Out, response);
        }
        else
        {
            context.Out.WriteLine("undrained: this node is eligible for VIPs again");
        }

        return ExitCodes.Ok;
    }
}
