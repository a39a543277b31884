using System.CommandLine;
using System.Globalization;
using Vipctl.Output;
using Vipd.Api.V1;
using Vipd.Core.Text;

namespace Vipctl.Commands;

/// <summary><c>vipctl explain VIP</c>: the ranked candidates for a VIP and why each is or is not eligible.</summary>
internal sealed class ExplainCommand : VipctlCommand
{
    private readonly Argument<string> _vip = new("VIP") { Description = "The VIP's name" };

    public ExplainCommand(CliEnvironment environment, GlobalOptions options)
        : base("explain", "Explain who owns a VIP: ranked candidates and why each is or is not eligible", environment, options)
    {
        Arguments.Add(_vip);
    }

    protected override async Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var request = new ExplainRequest { Vip = context.Parse.GetValue(_vip)! };
        var response = await context.Client.ExplainAsync(request, deadline: CommandContext.Deadline(), cancellationToken: cancellationToken);
        if (context.Json)
        {
            JsonOutput.Write(context.Out, response);
            return ExitCodes.Ok;
        }

        Render(response, context.Out, context.Color);
        return ExitCodes.Ok;
    }

    internal static void Render(ExplainResponse response, TextWriter writer, bool color)
    {
        var activeActive = response.Policy == "active-active";
        writer.WriteLine($"{ControlCharacters.Escape(response.Vip)}: {Ansi.Paint(ControlCharacters.Escape(response.Summary), response.Owner.Length == 0 && !activeActive ? Color.Red : Color.None, color)}");
        if (response.Mode == "bgp")
        {
            writer.WriteLine($"mode bgp ({ControlCharacters.Escape(response.Policy)}): {(response.Advertised ? "advertised by this node" : "not advertised by this node")}");
        }

        if (activeActive)
        {
            return;
        }

        var table = new Table("RANK", "NODE", "REASON");
        foreach (var candidate in response.Candidates)
        {
            var rank = candidate.Rank == 0 ? "-" : candidate.Rank.ToString(CultureInfo.InvariantCulture);
            var node = candidate.Node == response.Owner ? new Cell(candidate.Node + " (owner)", Color.Green) : new Cell(candidate.Node);
            table.Add(rank, node, new Cell(candidate.Reason, candidate.Rank == 0 ? Color.Dim : Color.None));
        }

        table.Write(writer, color);
        if (response.ReconsiderAt is not null)
        {
            writer.WriteLine($"reconsidered at {Words.Time(response.ReconsiderAt)} (a preempt delay ends)");
        }
    }
}
