using System.CommandLine;
using Vipctl.Output;
using Vipd.Api.V1;

namespace Vipctl.Commands;

/// <summary><c>vipctl vips [--source S]</c>: every VIP, its owner and this node's state for it.</summary>
internal sealed class VipsCommand : VipctlCommand
{
    private readonly Option<string?> _source = new("--source")
    {
        Description = "Only the VIPs of this source: \"config\" or a dynamic source",
        HelpName = "SOURCE",
    };

    public VipsCommand(CliEnvironment environment, GlobalOptions options)
        : base("vips", "List the VIPs: owner, holders, this node's state, eligible nodes, last change", environment, options)
    {
        Options.Add(_source);
    }

    protected override async Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var request = new ListVipsRequest { Source = context.Parse.GetValue(_source) ?? string.Empty };
        var response = await context.Client.ListVipsAsync(request, deadline: CommandContext.Deadline(), cancellationToken: cancellationToken);
        if (context.Json)
        {
            JsonOutput.Write(context.Out, response);
            return ExitCodes.Ok;
        }

        Render(response.Vips, context.Time).Write(context.Out, context.Color);
        return ExitCodes.Ok;
    }

    internal static Table Render(IEnumerable<Vip> vips, TimeProvider time)
    {
        var table = new Table("NAME", "ADDRESS", "INTERFACE", "SOURCE", "STATE", "OWNER", "PREFERRED", "ELIGIBLE", "CHANGED", "REASON");
        foreach (var vip in vips)
        {
            var owner = vip.Holders.Count > 1
                ? new Cell($"{Words.OrNone(vip.Owner)} (held by {Words.List(vip.Holders)})", Color.Yellow)
                : new Cell(Words.OrNone(vip.Owner), vip.Owner.Length == 0 ? Color.Red : Color.None);
            table.Add(vip.Name, vip.Address, vip.Interface, vip.Source, Words.State(vip.State), owner, vip.PreferredNode,
                Words.List(vip.EligibleNodes), Words.Ago(vip.LastChange, time), vip.LastChangeReason);
        }

        return table;
    }
}
