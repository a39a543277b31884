using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Vipd.Core.Config;
using Vipd.Core.Nodes;

namespace Vipd.Notify;

/// <summary>
/// Runs a VIP's notify scripts (keepalived's notify_master/backup/fault/stop) on this node's state changes: argv
/// without a shell, the transition in the environment, on the thread pool so it never delays a failover, killed
/// (with its children) after the configured timeout. The node decides the transitions (<see cref="Node.Transition"/>).
/// </summary>
internal sealed partial class NotifyRunner(string node, ILogger logger)
{
    /// <summary>Starts the VIP's script for the transition's new state; null when none is configured.</summary>
    public Task? Run(NotifyTransition transition)
    {
        ArgumentNullException.ThrowIfNull(transition);
        var argv = transition.Vip.Notify.For(transition.State);
        return argv.IsEmpty ? null : Task.Run(() => RunAsync(transition.Vip, argv, transition.State, transition.Previous, transition.Reason));
    }

    private async Task RunAsync(VipConfig vip, EquatableArray<string> argv, string state, string old, string reason)
    {
        var start = new ProcessStartInfo(argv[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in argv.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["VIPD_VIP"] = vip.Name;
        start.Environment["VIPD_ADDRESS"] = vip.Cidr;
        start.Environment["VIPD_INTERFACE"] = vip.Interface;
        start.Environment["VIPD_NODE"] = node;
        start.Environment["VIPD_STATE"] = state;
        start.Environment["VIPD_OLD_STATE"] = old;
        start.Environment["VIPD_REASON"] = reason;
        var stopwatch = Stopwatch.StartNew();
        try
        {
            using var process = Process.Start(start)!;
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
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
