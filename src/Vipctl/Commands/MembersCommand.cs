using Vipctl.Output;
using Vipd.Api.V1;

namespace Vipctl.Commands;

/// <summary><c>vipctl members</c>: the cluster as this node sees it.</summary>
internal sealed class MembersCommand(CliEnvironment environment, GlobalOptions options)
    : VipctlCommand("members", "List the cluster members: state, incarnation, address, mode, last heard, VIPs held", environment, options)
{
    protected override async Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var response = await context.Client.ListMembersAsync(new ListMembersRequest(), deadline: CommandContext.Deadline(), cancellationToken: cancellationToken);
        if (context.Json)
        {
            JsonOutput.Write(context.Out, response);
            return ExitCodes.Ok;
        }

        Render(response.Members, context.Time).Write(context.Out, context.Color);
        return ExitCodes.Ok;
    }

    internal static Table Render(IEnumerable<Member> members, TimeProvider time)
    {
        var table = new Table("NAME", "ADDRESS", "STATE", "INCARNATION", "MODE", "LAST HEARD", "HOLDING", "ELIGIBLE");
        foreach (var member in members)
        {
            var mode = member.Draining ? new Cell("draining", Color.Yellow)
                : member.Maintenance ? new Cell("maintenance", Color.Yellow)
                : new Cell("active");
            table.Add(member.Local ? member.Name + " (this node)" : member.Name, member.Address, Words.Member(member.State),
                member.Incarnation.ToString(System.Globalization.CultureInfo.InvariantCulture), mode,
                member.Local ? "-" : Words.Ago(member.LastHeard, time),
                Words.List(member.Vips.Where(v => v.Holding).Select(v => v.Vip)),
                Words.List(member.Vips.Where(v => v.Eligible).Select(v => v.Vip)));
        }

        return table;
    }
}
