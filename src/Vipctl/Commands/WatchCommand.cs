using System.Globalization;
using Grpc.Core;
using Vipctl.Output;
using Vipd.Api.V1;
using Vipd.Core.Text;

namespace Vipctl.Commands;

/// <summary>
/// <c>vipctl watch</c>: the daemon's events as they happen, a snapshot first; one line per event (table) or one JSON
/// object per line (json). Runs until Ctrl-C (exit 0) or the daemon closes the stream.
/// </summary>
internal sealed class WatchCommand(CliEnvironment environment, GlobalOptions options)
    : VipctlCommand("watch", "Follow events (ownership, members, checks, conflicts, reloads, mode, dynamic VIPs): a snapshot first, then one line each", environment, options)
{
    protected override async Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken)
    {
        using var call = context.Client.Watch(new WatchRequest(), cancellationToken: cancellationToken);
        await foreach (var @event in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            if (context.Json)
            {
                JsonOutput.WriteLine(context.Out, @event);
            }
            else
            {
                context.Out.WriteLine(Line(@event, context.Color));
            }

            await context.Out.FlushAsync(cancellationToken);
        }

        return ExitCodes.Ok;
    }

    /// <summary>One event as one line: <c>TIME #SEQ KIND details</c>.</summary>
    internal static string Line(WatchEvent e, bool color)
    {
        var head = string.Create(CultureInfo.InvariantCulture, $"{Words.Time(e.Time)} #{e.Sequence} ");
        return head + e.EventCase switch
        {
            WatchEvent.EventOneofCase.Snapshot => Snapshot(e.Snapshot),
            WatchEvent.EventOneofCase.Ownership => Ownership(e.Ownership, color),
            WatchEvent.EventOneofCase.Member => $"member {P(e.Member.Member.Name)}: {Words.Member(e.Member.PreviousState).Text} -> {Ansi.Paint(Words.Member(e.Member.Member.State).Text, Words.Member(e.Member.Member.State).Color, color)} (incarnation {e.Member.Member.Incarnation})",
            WatchEvent.EventOneofCase.Check => $"check {P(e.Check.Check)}: {Ansi.Paint(e.Check.Passing ? "passing" : "failing", e.Check.Passing ? Color.Green : Color.Red, color)}{(e.Check.Detail.Length > 0 ? ": " + P(e.Check.Detail) : string.Empty)}{(e.Check.Vips.Count > 0 ? $" (feeds {Words.List(e.Check.Vips)})" : string.Empty)}",
            WatchEvent.EventOneofCase.Conflict => Ansi.Paint($"conflict {P(e.Conflict.Vip)}: {P(e.Conflict.Address)} on {P(e.Conflict.Interface)} also answered by {P(e.Conflict.OtherMac)}", Color.Red, color),
            WatchEvent.EventOneofCase.Reload => "reload " + ReloadCommand.Summary(e.Reload),
            WatchEvent.EventOneofCase.Mode => $"mode: {Words.Mode(e.Mode.Previous).Text} -> {Ansi.Paint(Words.Mode(e.Mode.Mode).Text, Words.Mode(e.Mode.Mode).Color, color)}",
            WatchEvent.EventOneofCase.DynamicVips => $"dynamic VIPs of {P(e.DynamicVips.Source)} from {Words.OrNone(e.DynamicVips.OriginNode)}: applied {Words.OrNone(Words.List(e.DynamicVips.Applied))}; removed {Words.OrNone(Words.List(e.DynamicVips.Removed))}",
            _ => "unknown event (a newer vipd?)",
        };
    }

    private static string Snapshot(Snapshot snapshot)
    {
        var s = snapshot.Status ?? new GetStatusResponse();
        return $"snapshot: node {P(s.Node)}, mode {Words.Mode(s.Mode).Text}, {s.VipsHeld} of {s.VipsTotal} VIPs held, {s.MembersAlive} of {s.MembersTotal} members alive; "
            + $"VIPs: {Words.OrNone(string.Join(", ", snapshot.Vips.Select(v => $"{P(v.Name)}={Words.OrNone(v.Owner)}")))}";
    }

    private static string P(string text) => ControlCharacters.Escape(text);

    private static string Ownership(OwnershipEvent o, bool color)
    {
        var state = Words.State(o.State);
        return $"ownership {P(o.Vip)}: {Words.OrNone(o.PreviousOwner)} -> {Words.OrNone(o.Owner)}"
            + (o.Reason.Length > 0 ? $" ({P(o.Reason)})" : string.Empty)
            + $", this node {Ansi.Paint(state.Text, state.Color, color)}";
    }
}
