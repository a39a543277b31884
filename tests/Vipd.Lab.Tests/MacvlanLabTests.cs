using System.Globalization;
using System.Net.NetworkInformation;
using Vipd.Core.Reconcile;
using Xunit.Abstractions;

namespace Vipd.Lab.Tests;

/// <summary>A VIP on a macvlan interface is announced from the macvlan's own MAC, never from the parent's.</summary>
public sealed class MacvlanLabTests(ITestOutputHelper output)
{
    private static readonly PhysicalAddress MacvlanMac = PhysicalAddress.Parse("02-1A-B0-00-04-01");

    [Fact]
    public async Task SetDesired_VipOnMacvlan_GarpFromMacvlanMacAndClientFollows()
    {
        await using var lab = await LabNetwork.CreateAsync(1);
        var host = lab.Nodes[0];
        await host.ExecAsync("ip", "link", "add", "mv0", "link", host.Interface, "type", "macvlan", "mode", "bridge");
        await host.ExecAsync("ip", "link", "set", "mv0", "address", "02:1a:b0:00:04:01");
        var up = await host.ExecAsync("ip", "link", "set", "mv0", "up");
        Assert.Equal(0, up.ExitCode);

        // Linux answers ARP for any local address on every interface (arp_ignore = 0), and its own ARP requests from
        // the parent may carry the VIP as sender (arp_announce = 0), which moves the client's entry to the parent's
        // MAC (seen in CI: the reply to the ping went out the parent). A host with VIPs on a macvlan sets, on the
        // parent, arp_ignore = 1 and arp_announce = 2 (as for LVS direct routing).
        var ignore = await host.ExecAsync("sysctl", "-w", $"net.ipv4.conf.{host.Interface}.arp_ignore=1");
        var announce = await host.ExecAsync("sysctl", "-w", $"net.ipv4.conf.{host.Interface}.arp_announce=2");
        Assert.Equal(0, ignore.ExitCode);
        Assert.Equal(0, announce.ExitCode);

        using var announcer = LabAnnouncer.Create(host);
        await using var capture = await Capture.StartAsync(lab.Client, "arp");
        announcer.SetDesired(new OwnedVip("mv", new VipBinding(LabNetwork.Vip4, 24, "mv0"), AnnouncementPolicy.Default));
        Assert.True(await capture.WaitForPacketsAsync(2, TimeSpan.FromSeconds(5)), "no GARP within 5 s");
        var ping = await lab.Client.ExecAsync("ping", "-c", "1", "-W", "2", LabNetwork.Vip4.ToString());
        var entry = await lab.Client.NeighborAsync(LabNetwork.Vip4);
        announcer.SetDesired();
        var rows = await Tshark.DecodeAsync(await capture.StopAsync(), ["eth.src", "arp.src.hw_mac", "arp.src.proto_ipv4", "arp.dst.proto_ipv4"]);
        var garps = rows.Where(r => r[2] == LabNetwork.Vip4.ToString() && r[3] == LabNetwork.Vip4.ToString()).ToList();
        foreach (var r in garps)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"GARP eth.src {r[0]} sender MAC {r[1]}"));
        }

        output.WriteLine($"client entry after a ping: {entry}");
        Assert.NotEmpty(garps);
        Assert.All(garps, r => Assert.Equal(MacvlanMac, PhysicalAddress.Parse(r[0].Replace(':', '-').ToUpperInvariant())));
        Assert.All(garps, r => Assert.Equal(MacvlanMac, PhysicalAddress.Parse(r[1].Replace(':', '-').ToUpperInvariant())));
        Assert.Equal(0, ping.ExitCode);
        Assert.Equal(MacvlanMac, entry?.Mac);
    }
}
