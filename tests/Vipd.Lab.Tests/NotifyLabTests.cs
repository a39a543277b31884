using Vipd.Lab.Daemon;

namespace Vipd.Lab.Tests;

/// <summary>
/// [vip.notify] scripts run on real state changes with the transition in their environment, and without privileges:
/// no capabilities, as nobody, a minimal environment, no access to the key file.
/// </summary>
public sealed class NotifyLabTests
{
    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Notify_StartFaultAndStop_ScriptsRunWithTransitionEnvironmentAndNoPrivileges()
    {
        await using var lab = await LabNetwork.CreateAsync(2);
        var directory = Path.Combine(Path.GetTempPath(), $"{lab.Prefix}-notify");
        Directory.CreateDirectory(directory);
        try
        {
            // The scripts run as nobody: the folder is theirs to write, the script theirs to run.
            var everyone = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupWrite
                | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
            File.SetUnixFileMode(directory, everyone);
            var script = Path.Combine(directory, "event.sh");
            var key = Path.Combine(Path.GetTempPath(), $"{lab.Prefix}-vipd", "cluster.key");
            await File.WriteAllTextAsync(script, $$"""
                #!/bin/sh
                echo "$VIPD_STATE $VIPD_OLD_STATE $VIPD_VIP $VIPD_ADDRESS $1" >> {{directory}}/$VIPD_NODE.log
                if [ "$1" = m ]; then
                  { grep -E '^Cap(Eff|Prm|Inh|Amb|Bnd):' /proc/self/status; grep NoNewPrivs /proc/self/status; echo "uid $(id -u)"; cat {{key}} >/dev/null 2>&1 && echo key readable || echo key unreadable; env | cut -d= -f1 | sort | tr '\n' ' '; echo; } > {{directory}}/privileges.tmp && mv {{directory}}/privileges.tmp {{directory}}/privileges.txt
                fi

                """);
            File.SetUnixFileMode(script, everyone & ~(UnixFileMode.GroupWrite | UnixFileMode.OtherWrite));
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

            // The daemon runs as root with every capability; its script has none and cannot read the key. The script
            // renames its finished report into place, so the test never reads it half-written (a CI run once did).
            var privileges = Path.Combine(directory, "privileges.txt");
            await WaitForLineAsync(privileges, "key ");
            var lines = await File.ReadAllLinesAsync(privileges);
            Assert.Contains("CapEff:\t0000000000000000", lines);
            Assert.Contains("CapPrm:\t0000000000000000", lines);
            Assert.Contains("CapInh:\t0000000000000000", lines);
            Assert.Contains("CapAmb:\t0000000000000000", lines);
            Assert.Contains("CapBnd:\t0000000000000000", lines);
            Assert.Contains("NoNewPrivs:\t1", lines);
            Assert.Contains("uid 65534", lines);
            Assert.Contains("key unreadable", lines);
            var names = lines[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains("VIPD_NODE", names);
            Assert.All(names, n => Assert.True(n.StartsWith("VIPD_", StringComparison.Ordinal) || n is "PATH" or "LANG" or "PWD" or "SHLVL" or "_", $"unexpected variable {n}"));

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
