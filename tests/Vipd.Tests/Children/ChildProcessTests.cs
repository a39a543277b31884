using Vipd.Checks;
using Vipd.Children;

namespace Vipd.Tests.Children;

/// <summary>Children (exec checks, notify scripts) start without vipd's privileges.</summary>
public sealed class ChildProcessTests
{
    private static readonly ChildProcess.Powers Root = new(SwitchUser: true, ClearBounding: true);
    private static readonly ChildProcess.Powers Unit = new(SwitchUser: true, ClearBounding: false);
    private static readonly ChildProcess.Powers Plain = new(SwitchUser: false, ClearBounding: false);

    [Fact]
    public void Wrap_Root_NoCapabilitiesNoBoundingSetAsNobody() =>
        Assert.Equal(
            ["/usr/bin/setpriv", "--no-new-privs", "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all", "--reuid=nobody", "--regid=65534", "--clear-groups", "--", "/bin/x", "a"],
            ChildProcess.Wrap(["/bin/x", "a"], null, "65534", Root));

    [Fact]
    public void Wrap_UnitWithUser_ThatUserWithItsGroups() =>
        Assert.Equal(
            ["/usr/bin/setpriv", "--no-new-privs", "--inh-caps=-all", "--ambient-caps=-all", "--reuid=www", "--regid=33", "--init-groups", "--", "/bin/x"],
            ChildProcess.Wrap(["/bin/x"], "www", "33", Unit));

    [Fact]
    public void Wrap_CannotSwitchUsers_OwnUserWithoutCapabilities() =>
        Assert.Equal(
            ["/usr/bin/setpriv", "--no-new-privs", "--inh-caps=-all", "--ambient-caps=-all", "--", "/bin/x"],
            ChildProcess.Wrap(["/bin/x"], null, null, Plain));

    [Fact]
    public void StartInfo_Environment_OnlyBaseAndGiven()
    {
        var info = ChildProcess.StartInfo(["/bin/x"], new Dictionary<string, string> { ["VIPD_VIP"] = "web" });

        Assert.Equal(["LANG", "PATH", "VIPD_VIP"], info.Environment.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("/", info.WorkingDirectory);
    }

    [Fact]
    public async Task ExecProbe_AsRoot_ChildHasNoCapabilitiesAndRunsAsNobody()
    {
        Assert.True(Environment.UserName == "root", "runs as root, as vipd does");
        using var caps = new ExecProbe(["/bin/grep", "CapEff", "/proc/self/status"], null, TimeProvider.System);
        using var bounding = new ExecProbe(["/bin/grep", "CapBnd", "/proc/self/status"], null, TimeProvider.System);
        using var uid = new ExecProbe(["/usr/bin/id", "-u"], null, TimeProvider.System);
        using var env = new ExecProbe(["/usr/bin/env"], null, TimeProvider.System);
        using var names = new ExecProbe(["/bin/sh", "-c", "/usr/bin/env | cut -d= -f1 | sort | tr '\\n' ' '"], null, TimeProvider.System);

        Assert.Equal("exit 0: CapEff:\t0000000000000000", (await caps.RunAsync(CancellationToken.None)).Detail);
        Assert.Equal("exit 0: CapBnd:\t0000000000000000", (await bounding.RunAsync(CancellationToken.None)).Detail);
        Assert.Equal("exit 0: 65534", (await uid.RunAsync(CancellationToken.None)).Detail);
        Assert.StartsWith("exit 0: PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", (await env.RunAsync(CancellationToken.None)).Detail, StringComparison.Ordinal);
        Assert.Matches("^exit 0: LANG PATH( PWD)?( SHLVL)?$", (await names.RunAsync(CancellationToken.None)).Detail);
    }

    [Fact]
    public async Task ExecProbe_UserWithoutPowerToSwitch_FailsSayingWhy()
    {
        using var probe = new ExecProbe(["/bin/true"], "nobody", TimeProvider.System, Plain);

        var result = await probe.RunAsync(CancellationToken.None);

        Assert.False(result.Passed);
        Assert.Equal("cannot run as nobody: vipd lacks CAP_SETUID and CAP_SETGID (the packaged unit grants them)", result.Detail);
    }

    [Fact]
    public async Task ReadBounded_HugeOutput_KeepsTheStartAndDrainsTheRest()
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(new string('x', 5_000_000)));
        using var reader = new StreamReader(stream);

        var kept = await ChildProcess.ReadBoundedAsync(reader);

        Assert.Equal(ChildProcess.MaxCapturedChars, kept.Length);
        Assert.Equal(stream.Length, stream.Position);
    }
}
