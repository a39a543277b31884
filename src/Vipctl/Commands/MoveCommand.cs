using System.CommandLine;
using Vipctl.Output;
using Vipd.Api.V1;

namespace Vipctl.Commands;

/// <summary>
/// <c>vipctl move VIP NODE</c>: make NODE the preferred owner of VIP cluster-wide while it stays eligible;
/// <c>vipctl move VIP --clear</c> drops the preference.
/// </summary>
internal sealed class MoveCommand : VipctlCommand
{
    private readonly Argument<string> _vip = new("VIP") { Description = "The VIP's name" };

    private readonly Argument<string?> _node = new("NODE")
    {
        Description = "The node to prefer (omit with --clear)",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private readonly Option<bool> _clear = new("--clear") { Description = "Clear the VIP's preferred node: the election alone decides" };

    public MoveCommand(CliEnvironment environment, GlobalOptions options)
        : base("move", "Prefer a node for a VIP (cluster-wide, while it stays eligible); --clear drops the preference", environment, options)
    {
        Arguments.Add(_vip);
        Arguments.Add(_node);
        Options.Add(_clear);
        Validators.Add(result =>
        {
            var node = result.GetValue(_node);
            var clear = result.GetValue(_clear);
            if (clear == !string.IsNullOrEmpty(node))
            {
                result.AddError("give either NODE or --clear");
            }
        });
    }

    protected override async Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var request = new MoveRequest { Vip = context.Parse.GetValue(_vip)!, Node = context.Parse.GetValue(_node) ?? string.Empty };
        var response = await context.Client.MoveAsync(request, deadline: CommandContext.Deadline(), cancellationToken: cancellationToken);
        if (context.Json)
        {
            JsonOutput.Write(context.Out, response);
            return ExitCodes.Ok;
        }

        var preferred = request.Node.Length == 0 ? "no preferred node" : $"preferred node {request.Node}";
        context.Out.WriteLine($"{request.Vip}: {preferred} (was {Words.OrNone(response.PreviousPreferredNode)}); owner now {Words.OrNone(response.Owner)}");
        return ExitCodes.Ok;
    }
}
