using System.Diagnostics;
using System.Globalization;
using Vipd.Lab.Keepalived;
using Xunit.Abstractions;

namespace Vipd.Lab.Tests;

/// <summary>
/// The reference the failover benchmark and <c>examples/demo --compare</c> measure vipd against: Debian's keepalived
/// in the same lab (<see cref="LabKeepalived"/>). Shows it really works there, so a comparison never runs against a
/// keepalived that could not fail over: one master holds the VIP, the client's neighbour entry points at it, and after
/// <see cref="LabNetwork.CrashAsync"/> of the master the next node takes the VIP and the client's entry follows.
/// </summary>
public sealed class KeepalivedLabTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("default")]
    [InlineData("fast")]
    public async Task Crash_MasterUnpluggedAndKilled_NextPriorityTakesVipAndClientFollows(string profileName)
    {
        var profile = KeepalivedProfile.ByName(profileName);
        await using var lab = await LabNetwork.CreateAsync(3);
        await using var keepalived = await LabKeepalived.StartAsync(lab, profile);
        var (n1, n2) = (lab.Nodes[0], lab.Nodes[1]);
        Assert.Contains($"advert_int {profile.AdvertIntText}", keepalived.ConfigFor(n1), StringComparison.Ordinal);
        Assert.Contains($"vrrp_version {profile.VrrpVersion}", keepalived.ConfigFor(n1), StringComparison.Ordinal);

        // Every node starts as backup; the highest priority (n1) becomes master once it has heard no better advert.
        var master = await keepalived.WaitForSingleHolderAsync(TimeSpan.FromSeconds(10), n => n == n1);
        await keepalived.WaitForProcessesAsync(n1, TimeSpan.FromSeconds(5));
        Assert.True(keepalived.ProcessIds(n1).Count >= 2, $"keepalived's parent and VRRP child: {string.Join(", ", keepalived.ProcessIds(n1))}");
        var ping = await lab.Client.ExecAsync("ping", "-c", "1", "-W", "2", LabKeepalived.Vip.ToString());
        Assert.True(ping.ExitCode == 0, $"client cannot reach the VIP on {master.Name}: {ping.StdOut}{keepalived.Logs()}");
        Assert.Equal(master.Mac, (await lab.Client.NeighborAsync(LabKeepalived.Vip))?.Mac);

        var crash = Stopwatch.StartNew();
        await lab.CrashAsync(master);
        var successor = await keepalived.WaitForSingleHolderAsync(TimeSpan.FromSeconds(10), n => n != master);
        var tookOver = crash.Elapsed;
        Assert.Equal(n2, successor);
        Assert.Equal(keepalived.ExpectedMaster([n2, lab.Nodes[2]]), successor);
        // The successor's gratuitous ARPs move the client's existing entry (no traffic needed).
        var entry = await lab.Client.WaitForNeighborAsync(LabKeepalived.Vip, e => e?.Mac is { } mac && mac.Equals(successor.Mac), TimeSpan.FromSeconds(5));
        ping = await lab.Client.ExecAsync("ping", "-c", "1", "-W", "2", LabKeepalived.Vip.ToString());
        Assert.True(ping.ExitCode == 0, $"client cannot reach the VIP on {successor.Name}: {ping.StdOut}{keepalived.Logs()}");

        // A takeover needs the Master_Down_Interval of silence: never sooner (then it would not be VRRP timing), and
        // well within a few intervals.
        var interval = profile.MasterDownInterval(keepalived.Priority(successor));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{profile.Name}: {successor.Name} held the VIP {tookOver.TotalMilliseconds:0} ms after the crash (Master_Down_Interval {interval.TotalMilliseconds:0} ms); client entry {entry}"));
        Assert.True(tookOver >= interval - TimeSpan.FromSeconds(profile.AdvertInterval) - TimeSpan.FromMilliseconds(5), $"took over after {tookOver.TotalMilliseconds:0} ms, before the Master_Down_Interval ({interval.TotalMilliseconds:0} ms) minus one advert");
        Assert.True(tookOver < (interval * 3) + TimeSpan.FromSeconds(1), $"took over after {tookOver.TotalMilliseconds:0} ms{Environment.NewLine}{keepalived.Logs()}");
    }
}
