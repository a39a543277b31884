using Vipctl.Output;
using Vipd.Api.V1;

namespace Vipctl.Commands;

/// <summary><c>vipctl status</c>: this node, its version, mode, config, quorum and counts.</summary>
internal sealed class StatusCommand(CliEnvironment environment, GlobalOptions options)
    : VipctlCommand("status", "Show this node: version, uptime, mode, config digest, quorum, VIPs held, members alive", environment, options)
{
    protected override async Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var status = await context.Client.GetStatusAsync(new GetStatusRequest(), deadline: CommandContext.Deadline(), cancellationToken: cancellationToken);
        if (context.Json)
        {
            JsonOutput.Write(context.Out, status);
            return ExitCodes.Ok;
        }

        Render(status).Write(context.Out, context.Color);
        return ExitCodes.Ok;
    }

    internal static KeyValues Render(GetStatusResponse status)
    {
        var view = new KeyValues();
        view.Add("node", status.Node);
        view.Add("version", status.Version);
        view.Add("mode", Words.Mode(status.Mode));
        view.Add("uptime", status.Uptime is null ? string.Empty : $"{Words.Span(status.Uptime)} (since {Words.Time(status.StartedAt)})");
        view.Add("config", $"{status.ConfigPath} {ShortDigest(status.ConfigDigest)} (loaded {Words.Time(status.ConfigLoadedAt)})");
        view.Add("quorum", Quorum(status.Quorum));
        view.Add("vips", $"{status.VipsHeld} held of {status.VipsTotal}");
        view.Add("members", new Cell($"{status.MembersAlive} alive of {status.MembersTotal}", status.MembersAlive < status.MembersTotal ? Color.Yellow : Color.None));
        view.Add("last reload", Reload(status.LastReload));
        return view;
    }

    /// <summary>"sha256:" and the first 12 hex digits: enough to compare nodes by eye (JSON has all of it).</summary>
    internal static string ShortDigest(string digest) =>
        digest.StartsWith("sha256:", StringComparison.Ordinal) && digest.Length > 19 ? digest[..19] : digest;

    private static Cell Quorum(Quorum? quorum)
    {
        if (quorum is null || !quorum.Required)
        {
            return "not required";
        }

        var counts = $"{quorum.Live} live of {quorum.Expected}, {quorum.Needed} needed";
        return quorum.Present ? new($"present ({counts})", Color.Green) : new($"LOST ({counts}): holding nothing", Color.Red);
    }

    private static Cell Reload(ReloadResult? reload)
    {
        if (reload is null)
        {
            return "none";
        }

        return reload.Ok
            ? new($"ok at {Words.Time(reload.Time)} ({ReloadCommand.Changes(reload)})")
            : new($"failed at {Words.Time(reload.Time)}: {reload.Errors.Count} error(s), the running config stays", Color.Red);
    }
}
