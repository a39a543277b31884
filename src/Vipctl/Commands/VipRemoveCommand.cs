using System.CommandLine;
using Vipctl.Output;
using Vipd.Api.V1;

namespace Vipctl.Commands;

/// <summary>
/// <c>vipctl vip remove --source S NAME...|--all</c>: remove dynamic VIPs of a source. Exit 5 when a named VIP was
/// not in the source (the others are still removed).
/// </summary>
internal sealed class VipRemoveCommand : VipctlCommand
{
    private readonly Option<string> _source = SourceOption.Create();

    private readonly Option<bool> _all = new("--all") { Description = "Remove every VIP of the source" };

    private readonly Argument<string[]> _names = new("NAME")
    {
        Description = "The VIPs to remove",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public VipRemoveCommand(CliEnvironment environment, GlobalOptions options)
        : base("remove", "Remove dynamic VIPs of a source, by name or --all", environment, options)
    {
        Options.Add(_source);
        Options.Add(_all);
        Arguments.Add(_names);
        Validators.Add(result =>
        {
            var names = result.GetValue(_names) ?? [];
            if (result.GetValue(_all) == (names.Length > 0))
            {
                result.AddError("give either VIP names or --all");
            }
        });
    }

    protected override async Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var source = context.Parse.GetValue(_source)!;
        var request = new RemoveVipsRequest { Source = source, All = context.Parse.GetValue(_all) };
        request.Names.AddRange(context.Parse.GetValue(_names) ?? []);
        var response = await context.Client.RemoveVipsAsync(request, deadline: CommandContext.Deadline(), cancellationToken: cancellationToken);
        if (context.Json)
        {
            JsonOutput.Write(context.Out, response);
        }
        else
        {
            context.Out.WriteLine($"source {source} version {response.Version}: removed {Words.OrNone(Words.List(response.Removed))}");
        }

        if (response.NotFound.Count > 0)
        {
            context.Fail($"not in source {source}: {Words.List(response.NotFound)}");
            return ExitCodes.NotFound;
        }

        return ExitCodes.Ok;
    }
}
