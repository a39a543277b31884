using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Vipd.Children;
using Vipd.Core.Config;
using Vipd.Core.Nodes;

namespace Vipd.Notify;

/// <summary>
/// Runs a VIP's notify scripts (keepalived's notify_master/backup/fault/stop) on this node's state changes: argv
/// without a shell, without privileges (<see cref="ChildProcess"/>: no capabilities, as <c>nobody</c> when vipd may
/// switch users), the transition in a minimal environment, on the thread pool so it never delays a failover, killed
/// (with its children) after the configured timeout; its output read bounded. The node decides the transitions (<see cref="Node.Transition"/>).
/// </summary>
internal sealed partial class NotifyRunner(string node, ILogger logger, ChildProcess.Powers? powers = null)
{
    private readonly ChildProcess.Powers _powers = powers ?? ChildProcess.Powers.Current;
    private string? _group;

    /// <summary>Starts the VIP's script for the transition's new state; null when none is configured.</summary>
    public Task? Run(NotifyTransition transition)
    {
        ArgumentNullException.ThrowIfNull(transition);
        var argv = transition.Vip.Notify.For(transition.State);
        return argv.IsEmpty ? null : Task.Run(() => RunAsync(transition.Vip, argv, transition.State, transition.Previous, transition.Reason));
    }

    private async Task RunAsync(VipConfig vip, EquatableArray<string> argv, string state, string old, string reason)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["VIPD_VIP"] = vip.Name,
            ["VIPD_ADDRESS"] = vip.Cidr,
            ["VIPD_INTERFACE"] = vip.Interface,
            ["VIPD_NODE"] = node,
            ["VIPD_STATE"] = state,
            ["VIPD_OLD_STATE"] = old,
            ["VIPD_REASON"] = reason,
        };
        if (_powers.SwitchUser)
        {
            _group ??= await ChildProcess.PrimaryGroupAsync(ChildProcess.DefaultUser, CancellationToken.None).ConfigureAwait(false);
        }

        var start = ChildProcess.StartInfo(ChildProcess.Wrap([.. argv], null, _group, _powers), environment);
        var stopwatch = Stopwatch.StartNew();
        try
        {
            using var process = Process.Start(start)!;
            process.StandardInput.Close();
            var output = ChildProcess.ReadBoundedAsync(process.StandardOutput);
            var errors = ChildProcess.ReadBoundedAsync(process.StandardError);
            using var timeout = new CancellationTokenSource(vip.Notify.Timeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                LogScriptTimedOut(logger, vip.Name, state, argv[0], (long)vip.Notify.Timeout.TotalMilliseconds);
                return;
            }

            var firstLine = FirstLine(await errors.ConfigureAwait(false)) ?? FirstLine(await output.ConfigureAwait(false)) ?? string.Empty;
            var elapsed = (long)stopwatch.Elapsed.TotalMilliseconds;
            if (process.ExitCode == 0)
            {
                LogScriptRan(logger, vip.Name, state, argv[0], elapsed);
            }
            else
            {
                LogScriptFailed(logger, vip.Name, state, argv[0], process.ExitCode, firstLine);
            }
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            LogScriptNotStarted(logger, vip.Name, state, argv[0], ex.Message);
        }
    }

    private static string? FirstLine(string text)
    {
        var line = text.Split('\n', 2)[0].Trim();
        return line.Length == 0 ? null : line[..Math.Min(line.Length, 200)];
    }

    [LoggerMessage(EventId = 6000, Level = LogLevel.Information, Message = "VIP {Vip}: notify {State} script {Script} ran in {ElapsedMs} ms")]
    private static partial void LogScriptRan(ILogger logger, string vip, string state, string script, long elapsedMs);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "VIP {Vip}: notify {State} script {Script} exited with {ExitCode}: {Output}")]
    private static partial void LogScriptFailed(ILogger logger, string vip, string state, string script, int exitCode, string output);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "VIP {Vip}: notify {State} script {Script} killed after {ElapsedMs} ms")]
    private static partial void LogScriptTimedOut(ILogger logger, string vip, string state, string script, long elapsedMs);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Error, Message = "VIP {Vip}: notify {State} script {Script} could not start: {Reason}")]
    private static partial void LogScriptNotStarted(ILogger logger, string vip, string state, string script, string reason);
}
