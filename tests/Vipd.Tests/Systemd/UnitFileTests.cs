using System.Globalization;
using System.Text.RegularExpressions;

namespace Vipd.Tests.Systemd;

/// <summary>systemd/vipd.service, vipd.sysusers and vipd.tmpfiles: checked by systemd's own tools, and the keys that matter pinned.</summary>
public sealed partial class UnitFileTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("vipd-unit-").FullName;

    private static string UnitText => File.ReadAllText(SystemdFiles.Path("vipd.service"));

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [SystemdAnalyzeFact]
    public void Verify_UnitWithExistingExecPaths_PrintsNothing()
    {
        // verify checks Exec paths against this host: point /usr/bin/vipd at a binary that exists.
        var (code, output) = Verify(UnitText.Replace("/usr/bin/vipd", "/bin/true", StringComparison.Ordinal));

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, output.Trim());
    }

    [SystemdAnalyzeFact]
    public void Verify_UnitWithMisspeltKey_IsReported()
    {
        // The check above can fail: a key systemd does not know is reported (only as a warning, exit 0).
        var text = UnitText.Replace("/usr/bin/vipd", "/bin/true", StringComparison.Ordinal).Replace("NoNewPrivileges=", "NoNewPrivilege=", StringComparison.Ordinal);

        var (_, output) = Verify(text);

        Assert.Contains("Unknown key 'NoNewPrivilege' in section [Service]", output, StringComparison.Ordinal);
    }

    [SystemdAnalyzeFact]
    public void Security_Offline_ExposureAtMost4()
    {
        var (code, output) = SystemdFiles.Run(SystemdFiles.SystemdAnalyze!, "security", "--offline=yes", "--no-pager", SystemdFiles.Path("vipd.service"));

        Assert.Equal(0, code);
        var match = ExposureLine().Match(output);
        Assert.True(match.Success, output);
        var exposure = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(exposure, 0.0, 4.0);
    }

    [Theory]
    [InlineData("Type", "notify")]
    [InlineData("NotifyAccess", "main")]
    [InlineData("ExecStartPre", "/usr/bin/vipd check --config /etc/vipd/vipd.toml")]
    [InlineData("ExecStart", "/usr/bin/vipd run --config /etc/vipd/vipd.toml")]
    [InlineData("ExecStopPost", "/usr/bin/vipd cleanup --config /etc/vipd/vipd.toml")]
    [InlineData("Restart", "on-failure")]
    [InlineData("RestartSec", "1s")]
    [InlineData("RestartPreventExitStatus", "1 2 3 5 7")]
    [InlineData("WatchdogSec", "10s")]
    [InlineData("TimeoutStopSec", "20s")]
    [InlineData("User", "vipd")]
    [InlineData("Group", "vipd")]
    [InlineData("AmbientCapabilities", "CAP_NET_ADMIN CAP_NET_RAW CAP_SETUID CAP_SETGID")]
    [InlineData("CapabilityBoundingSet", "CAP_NET_ADMIN CAP_NET_RAW CAP_SETUID CAP_SETGID")]
    [InlineData("NoNewPrivileges", "yes")]
    [InlineData("ProtectSystem", "strict")]
    [InlineData("ProtectHome", "yes")]
    [InlineData("PrivateTmp", "yes")]
    [InlineData("PrivateDevices", "yes")]
    [InlineData("ProtectKernelTunables", "yes")]
    [InlineData("ProtectKernelModules", "yes")]
    [InlineData("ProtectControlGroups", "yes")]
    [InlineData("RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6 AF_NETLINK AF_PACKET")]
    [InlineData("RestrictNamespaces", "yes")]
    [InlineData("LockPersonality", "yes")]
    [InlineData("MemoryDenyWriteExecute", "yes")]
    [InlineData("SystemCallArchitectures", "native")]
    [InlineData("RuntimeDirectory", "vipd")]
    [InlineData("RuntimeDirectoryMode", "0750")]
    [InlineData("StateDirectory", "vipd")]
    [InlineData("ConfigurationDirectory", "vipd")]
    [InlineData("Environment", "DOTNET_GCgen0size=100000")]
    public void Service_Key_HasExactlyThisValue(string key, string value)
    {
        var values = SystemdFiles.Section(UnitText, "Service").Where(e => e.Key == key).Select(e => e.Value).ToList();

        Assert.Equal([value], values);
    }

    [Fact]
    public void Service_ExecReload_SendsSigHupWithTheShellBuiltin()
    {
        // SIGHUP is vipd's hitless reload (SystemdLabTests.Run_SigHup_ReloadsAndKeepsServing).
        Assert.Equal(["/bin/sh -c 'kill -HUP $MAINPID'"], SystemdFiles.Section(UnitText, "Service").Where(e => e.Key == "ExecReload").Select(e => e.Value));
    }

    [Fact]
    public void Service_StopTimeout_CoversHandoverAndUnbind()
    {
        // Handover ≤ 6 s (5 s timeout + 1 s), unbind ≤ 5 s, vipd's own shutdown limit 15 s: systemd must not SIGKILL first.
        var stop = SystemdFiles.Section(UnitText, "Service").Single(e => e.Key == "TimeoutStopSec").Value;
        Assert.True(int.Parse(stop.TrimEnd('s'), CultureInfo.InvariantCulture) > 15, stop);
    }

    [SystemdAnalyzeFact]
    public void Sysusers_CreatesSystemUserVipdWithGroupVipd()
    {
        // systemd-sysusers comes with systemd-analyze (package systemd); --root keeps the host's /etc untouched.
        Directory.CreateDirectory(Path.Combine(_temp, "etc"));

        var (code, output) = SystemdFiles.Run("systemd-sysusers", $"--root={_temp}", SystemdFiles.Path("vipd.sysusers"));

        Assert.True(code == 0, output);
        var user = File.ReadAllLines(Path.Combine(_temp, "etc", "passwd")).Single(l => l.StartsWith("vipd:", StringComparison.Ordinal)).Split(':');
        var group = File.ReadAllLines(Path.Combine(_temp, "etc", "group")).Single(l => l.StartsWith("vipd:", StringComparison.Ordinal)).Split(':');
        Assert.Equal(group[2], user[3]);
        Assert.True(int.Parse(user[2], CultureInfo.InvariantCulture) < 1000, $"uid {user[2]} is not a system uid");
        Assert.Equal("/usr/sbin/nologin", user[6]);
    }

    [Fact]
    public void Tmpfiles_RunVipd_0750_OwnedByVipd()
    {
        var lines = File.ReadAllLines(SystemdFiles.Path("vipd.tmpfiles")).Where(l => l.Length > 0 && l[0] != '#').ToList();

        var fields = Assert.Single(lines).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["d", "/run/vipd", "0750", "vipd", "vipd", "-"], fields);
    }

    private (int ExitCode, string Output) Verify(string unitText)
    {
        var path = Path.Combine(_temp, "vipd.service");
        File.WriteAllText(path, unitText);
        return SystemdFiles.Run(SystemdFiles.SystemdAnalyze!, "verify", "--man=no", path);
    }

    [GeneratedRegex(@"Overall exposure level for vipd\.service: ([0-9]+\.[0-9])")]
    private static partial Regex ExposureLine();
}
