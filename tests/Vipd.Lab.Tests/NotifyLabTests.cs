using Vipd.Lab.Daemon;

namespace Vipd.Lab.Tests;

/// <summary>[vip.notify] scripts run on real state changes with the transition in their environment.</summary>
public sealed class NotifyLabTests
{
    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Notify_StartFaultAndStop_ScriptsRunWithTransitionEnvironment()
    {
        await using var lab = await LabNetwork.CreateAsync(2);
        var directory = Path.Combine(Path.GetTempPath(), $"{lab.Prefix}-notify");
        Directory.CreateDirectory(directory);
        try
        {
            var script = Path.Combine(directory, "event.sh");
            await File.WriteAllTextAsync(script, $"#!/bin/sh\necho \"$VIPD_STATE $VIPD_OLD_STATE $VIPD_VIP $VIPD_ADDRESS $1\" >> {directory}/$VIPD_NODE.log\n");
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var notify = $"""
                [vip.notify]
                master = ["{script}", "m"]
                backup = ["{script}", "b"]
                fault = ["{script}", "f"]
                stop = ["{script}", "s"]
                timeout = "5s"
                """;
            await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find(), new VipdClusterOptions { VipExtra = notify });
            var holder = await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, TimeSpan.FromSeconds(20));
            var other = lab.Nodes.Single(n => n != holder);

            var holderLog = Path.Combine(directory, $"{holder.Name}.log");
            var otherLog = Path.Combine(directory, $"{other.Name}.log");
            await WaitForLineAsync(holderLog, "MASTER ");
            await WaitForLineAsync(otherLog, "BACKUP INIT web 192.0.2.200/24 b");

            await other.SetLinkAsync(false);
            await WaitForLineAsync(otherLog, "FAULT BACKUP web 192.0.2.200/24 f");

            await cluster.StopAsync(holder, TimeSpan.FromSeconds(10));
            Assert.True(cluster.Process(holder).ExitCode == 0, $"exit {cluster.Process(holder).ExitCode}{Environment.NewLine}{cluster.Logs()}");
            await WaitForLineAsync(holderLog, "STOP MASTER web 192.0.2.200/24 s", cluster.Logs);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task WaitForLineAsync(string path, string prefix, Func<string>? logs = null)
    {
        for (var i = 0; i < 100; i++)
        {
            if (File.Exists(path) && (await File.ReadAllLinesAsync(path)).Any(l => l.StartsWith(prefix, StringComparison.Ordinal)))
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        var content = File.Exists(path) ? await File.ReadAllTextAsync(path) : "(no file)";
        Assert.Fail($"no line starting with '{prefix}' in {path}: {content}{Environment.NewLine}{logs?.Invoke()}");
    }
}
