using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using Vipd.Core.Reconcile;
using Vipd.Linux.Neighbor;
using Vipd.Linux.Netlink;
using Xunit.Abstractions;

namespace Vipd.Lab.Tests;

/// <summary>"A node owns a VIP": the announcer with the real netlink and neighbour implementations, in the lab.</summary>
public sealed class AnnouncerLabTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task SetDesired_Vip4_ClientEntryHoldsOwnerMacAndPingAnswered()
    {
        await using var lab = await LabNetwork.CreateAsync(2);
        using var a = LabAnnouncer.Create(lab.Nodes[0]);

        a.SetDesired(Vip("web", LabNetwork.Vip4, 24));
        var ping = await lab.Client.ExecAsync("ping", "-c", "1", "-W", "2", LabNetwork.Vip4.ToString());

        Assert.True(ping.ExitCode == 0, ping.StdOut + ping.StdErr);
        Assert.Equal(lab.Nodes[0].Mac, (await lab.Client.NeighborAsync(LabNetwork.Vip4))?.Mac);
        Assert.Equal(["web"], a.Announcer.Held);
        Assert.Contains(a.Events, e => e.Kind == AnnouncerEventKind.Acquired && e.Name == "web");
        Assert.Contains(LabNetwork.Vip4, await lab.Nodes[0].AddressesAsync());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Takeover_SecondNodeTakesVip_ClientEntryMovesWithinOneAnnouncement(bool ipv6)
    {
        await using var lab = await LabNetwork.CreateAsync(2);
        var (hostA, hostB) = (lab.Nodes[0], lab.Nodes[1]);
        using var a = LabAnnouncer.Create(hostA);
        using var b = LabAnnouncer.Create(hostB);
        var vip = ipv6 ? LabNetwork.Vip6 : LabNetwork.Vip4;
        var desired = Vip("web", vip, ipv6 ? 64 : 24);
        a.SetDesired(desired);
        await PingAsync(lab.Client, vip);
        Assert.Equal(hostA.Mac, (await lab.Client.NeighborAsync(vip))?.Mac);

        // Only the first announcement counts: with the default policy the next one leaves 50 ms later.
        var oneShot = new AnnouncementPolicy(1, TimeSpan.FromMilliseconds(50), TimeSpan.Zero, 0, TimeSpan.Zero);
        var watch = Stopwatch.StartNew();
        a.SetDesired();
        b.SetDesired(desired with { Policy = oneShot });
        var moved = await WaitForMacAsync(lab.Client, vip, hostB.Mac, Deadline);
        var elapsed = watch.Elapsed;

        output.WriteLine($"{(ipv6 ? "IPv6" : "IPv4")} takeover: client entry on B's MAC after {elapsed.TotalMilliseconds:F1} ms");
        Assert.True(moved, $"client entry for {vip} still {(await lab.Client.NeighborAsync(vip))?.Mac}, not B's {hostB.Mac}");
        // A frame of A's still queued in B's conflict listener can count as a conflict and earn one more (one-shot)
        // announcement; anything else would mean B needed more than its first announcement.
        var conflicts = b.Events.Count(e => e.Kind == AnnouncerEventKind.Conflict);
        Assert.True(b.Announcer.Counters.Announcements == 1 + conflicts, $"B announced {b.Announcer.Counters.Announcements} times: {string.Join(", ", b.Events)}");
        Assert.Empty(a.Announcer.Held);
        Assert.DoesNotContain(vip, await hostA.AddressesAsync());
        await PingAsync(lab.Client, vip);
        Assert.Equal(hostB.Mac, (await lab.Client.NeighborAsync(vip))?.Mac);
    }

    [Fact]
    public async Task Reconcile_OperatorAddressesOnSameInterface_SurviveEveryReconcile()
    {
        await using var lab = await LabNetwork.CreateAsync(1);
        var host = lab.Nodes[0];
        using var a = LabAnnouncer.Create(host);
        var extra = IPAddress.Parse("198.51.100.7");
        var operatorVip = IPAddress.Parse("203.0.113.9");
        await host.AddAddressAsync(extra, 32);
        await host.AddAddressAsync(operatorVip, 32);

        a.SetDesired(Vip("web", LabNetwork.Vip4, 24), Vip("web6", LabNetwork.Vip6, 64), Vip("ops", operatorVip, 32));
        Assert.Equal(3, a.Announcer.Held.Count);
        a.SetDesired(Vip("web", LabNetwork.Vip4, 24));
        a.SetDesired();
        var removed = a.Announcer.CleanupAll();

        var left = await host.AddressesAsync();
        Assert.Equal(0, removed);
        foreach (var address in new[] { host.IPv4, host.IPv6, extra, operatorVip })
        {
            Assert.Contains(address, left);
        }

        Assert.DoesNotContain(LabNetwork.Vip4, left);
        Assert.DoesNotContain(LabNetwork.Vip6, left);
    }

    [Fact]
    public async Task CleanupAll_PredecessorLeftVips_RemovesOnlyVipdAddresses()
    {
        await using var lab = await LabNetwork.CreateAsync(1);
        var host = lab.Nodes[0];
        using (var crashed = LabAnnouncer.Create(host))
        {
            crashed.SetDesired(Vip("web", LabNetwork.Vip4, 24), Vip("web6", LabNetwork.Vip6, 64));
        }

        using var successor = LabAnnouncer.Create(host);
        var removed = successor.Announcer.CleanupAll();

        var left = await host.AddressesAsync();
        Assert.Equal(2, removed);
        Assert.DoesNotContain(LabNetwork.Vip4, left);
        Assert.DoesNotContain(LabNetwork.Vip6, left);
        Assert.Contains(host.IPv4, left);
        Assert.Contains(host.IPv6, left);
    }

    [Fact]
    public async Task SetDesired_MissingInterface_OneClearError()
    {
        await using var lab = await LabNetwork.CreateAsync(1);
        using var a = LabAnnouncer.Create(lab.Nodes[0]);

        a.SetDesired(new OwnedVip("web", new VipBinding(LabNetwork.Vip4, 24, "nosuch0"), AnnouncementPolicy.Default));
        await Task.Delay(TimeSpan.FromMilliseconds(800)); // retries at 100, 300 and 700 ms

        var error = Assert.Single(a.Events);
        Assert.Equal(AnnouncerEventKind.Error, error.Kind);
        Assert.Equal("interface nosuch0 not found", error.Message);
        Assert.Empty(a.Announcer.Held);
        Assert.True(a.Announcer.Counters.Errors >= 2, $"retried {a.Announcer.Counters.Errors} times");
    }

    [Fact]
    public async Task SetDesired_SameVipTwice_NoOp()
    {
        await using var lab = await LabNetwork.CreateAsync(1);
        using var a = LabAnnouncer.Create(lab.Nodes[0]);

        a.SetDesired(Vip("web", LabNetwork.Vip4, 24));
        var before = a.Announcer.Counters;
        a.SetDesired(Vip("web", LabNetwork.Vip4, 24));
        var after = a.Announcer.Counters;

        Assert.Equal(1, after.AddressesAdded);
        Assert.Equal(before.Announcements, after.Announcements);
        Assert.Single(a.Events, e => e.Kind == AnnouncerEventKind.Acquired);
        Assert.Single(await lab.Nodes[0].AddressesAsync(), x => x.Equals(LabNetwork.Vip4));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AddressDeletedByHand_ComesBackWithinASecond(bool ipv6)
    {
        await using var lab = await LabNetwork.CreateAsync(1);
        var host = lab.Nodes[0];
        using var a = LabAnnouncer.Create(host);
        var vip = ipv6 ? LabNetwork.Vip6 : LabNetwork.Vip4;
        a.SetDesired(Vip("web", vip, ipv6 ? 64 : 24));
        using var probe = host.Run(() => new NetlinkAddressManager());

        var watch = Stopwatch.StartNew();
        var del = await host.ExecAsync("ip", "addr", "del", $"{vip}/{(ipv6 ? 64 : 24)}", "dev", host.Interface);
        Assert.True(del.ExitCode == 0, del.StdErr);
        var back = TimeSpan.Zero;
        for (var i = 0; i < 1000 && watch.Elapsed < Deadline; i++)
        {
            if (probe.ListAddresses().Any(x => x.Address.Equals(vip) && x.AddedByVipd))
            {
                back = watch.Elapsed;
                break;
            }

            await Task.Delay(1);
        }

        output.WriteLine($"{vip} deleted by hand: back after {back.TotalMilliseconds:F1} ms (the `ip addr del` itself included)");
        Assert.True(back > TimeSpan.Zero && back < TimeSpan.FromSeconds(1), $"not back within a second ({back})");
        Assert.True(await WaitForAsync(() => a.Events.Any(e => e.Kind == AnnouncerEventKind.Repaired), Deadline));
        Assert.Equal(1, a.Announcer.Counters.Repairs);
    }

    [Fact]
    public async Task Release_PrimaryOfSubnet_OtherVipsOfThatSubnetStayOrComeBack()
    {
        // 198.51.100.0/24 has no other address on eth0: the first VIP becomes the subnet's primary and the second its
        // secondary. Without promote_secondaries (off in a fresh namespace) deleting a primary deletes its secondaries.
        await using var lab = await LabNetwork.CreateAsync(1);
        var host = lab.Nodes[0];
        using var a = LabAnnouncer.Create(host);
        var (first, second) = (IPAddress.Parse("198.51.100.10"), IPAddress.Parse("198.51.100.20"));
        a.SetDesired(Vip("one", first, 24));
        a.SetDesired(Vip("one", first, 24), Vip("two", second, 24));

        var watch = Stopwatch.StartNew();
        a.SetDesired(Vip("two", second, 24));
        using var probe = host.Run(() => new NetlinkAddressManager());
        var present = await WaitForAsync(() => probe.ListAddresses().Any(x => x.Address.Equals(second)), Deadline);

        output.WriteLine($"second VIP present {watch.Elapsed.TotalMilliseconds:F1} ms after releasing the first; repairs {a.Announcer.Counters.Repairs}");
        Assert.True(present, "the other VIP of the subnet is gone");
        Assert.DoesNotContain(probe.ListAddresses(), x => x.Address.Equals(first));
        Assert.Equal(["two"], a.Announcer.Held);
    }

    [Fact]
    public async Task LinkDownThenUp_KernelFlushesIPv6Vip_VipBackAndAnnouncedAfterUp()
    {
        // The kernel default (keep_addr_on_down=0, which the lab turns off) deletes IPv6 addresses on link down.
        await using var lab = await LabNetwork.CreateAsync(1);
        var host = lab.Nodes[0];
        var sysctl = await host.ExecAsync("sh", "-c", "echo 0 > /proc/sys/net/ipv6/conf/all/keep_addr_on_down && echo 0 > /proc/sys/net/ipv6/conf/eth0/keep_addr_on_down");
        Assert.True(sysctl.ExitCode == 0, sysctl.StdErr);
        using var a = LabAnnouncer.Create(host);
        a.SetDesired(Vip("web6", LabNetwork.Vip6, 64));
        await PingAsync(lab.Client, LabNetwork.Vip6);

        await host.SetLinkAsync(false);
        Assert.True(await WaitForAsync(() => a.Announcer.Counters.Repairs >= 1, Deadline), "the flushed VIP was not put back");
        await host.SetLinkAsync(true);
        using var probe = host.Run(() => new NetlinkAddressManager());
        var present = await WaitForAsync(() => probe.ListAddresses().Any(x => x.Address.Equals(LabNetwork.Vip6) && x.AddedByVipd), Deadline);

        output.WriteLine($"repairs {a.Announcer.Counters.Repairs}, errors {a.Announcer.Counters.Errors}, events: {string.Join(", ", a.Events.Select(e => e.Kind))}");
        Assert.True(present, "IPv6 VIP not back after the link flap");
        Assert.Equal(["web6"], a.Announcer.Held);
        await PingAsync(lab.Client, LabNetwork.Vip6);
        Assert.Equal(host.Mac, (await lab.Client.NeighborAsync(LabNetwork.Vip6))?.Mac);
    }

    [Fact]
    public async Task LinkDownThenUp_NoAnnouncementsWhileDown_FreshBurstWhenUp()
    {
        await using var lab = await LabNetwork.CreateAsync(1);
        var host = lab.Nodes[0];
        using var a = LabAnnouncer.Create(host);
        a.SetDesired(Vip("web", LabNetwork.Vip4, 24));
        await PingAsync(lab.Client, LabNetwork.Vip4);

        var reconciles = a.Announcer.Counters.Reconciles;
        await host.SetLinkAsync(false);
        Assert.True(await WaitForAsync(() => a.Announcer.Counters.Reconciles > reconciles, Deadline), "link down not seen");
        var whileDown = a.Announcer.Counters.Announcements;
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.Equal(whileDown, a.Announcer.Counters.Announcements);
        Assert.Equal(["web"], a.Announcer.Held);

        // Point the client somewhere else by hand: only a fresh announcement after link-up brings it back.
        var stray = await lab.Client.ExecAsync("ip", "neigh", "replace", LabNetwork.Vip4.ToString(), "lladdr", "02:00:5e:00:53:01", "dev", lab.Client.Interface, "nud", "stale");
        Assert.True(stray.ExitCode == 0, stray.StdErr);
        var watch = Stopwatch.StartNew();
        await host.SetLinkAsync(true);
        var back = await WaitForMacAsync(lab.Client, LabNetwork.Vip4, host.Mac, Deadline);

        output.WriteLine($"link up -> client entry back on the owner after {watch.Elapsed.TotalMilliseconds:F1} ms; {a.Announcer.Counters.Announcements - whileDown} announcements since");
        Assert.True(back, "client entry not moved back after link-up");
        Assert.True(a.Announcer.Counters.Announcements > whileDown);
    }

    [Fact]
    public async Task Conflict_ThirdNamespaceClaimsVip_OwnerReannounces()
    {
        await using var lab = await LabNetwork.CreateAsync(2);
        var (owner, rogue) = (lab.Nodes[0], lab.Nodes[1]);
        using var a = LabAnnouncer.Create(owner);

        // One burst, no second burst, no refresh: any later announcement is the answer to the conflict.
        var burstOnly = new AnnouncementPolicy(3, TimeSpan.FromMilliseconds(50), TimeSpan.Zero, 0, TimeSpan.Zero);
        a.SetDesired(Vip("web", LabNetwork.Vip4, 24) with { Policy = burstOnly });
        await PingAsync(lab.Client, LabNetwork.Vip4);

        // Past the client's ARP locktime (1 s), so the rogue's claim does move its entry.
        await Task.Delay(TimeSpan.FromMilliseconds(1100));
        var sentBefore = a.Announcer.Counters.Announcements;
        Assert.Equal(3, sentBefore);

        // iputils arping -U: unsolicited ARP with sender IP = target IP = the VIP and the rogue's MAC. arping binds to
        // its source address first: allow that in the rogue's namespace only (a namespace-local sysctl).
        var sysctl = await rogue.ExecAsync("sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_nonlocal_bind");
        Assert.True(sysctl.ExitCode == 0, sysctl.StdErr);
        var arping = await rogue.ExecAsync("arping", "-U", "-c", "1", "-I", rogue.Interface, "-s", LabNetwork.Vip4.ToString(), LabNetwork.Vip4.ToString());
        output.WriteLine($"arping exit {arping.ExitCode}: {arping.StdOut} {arping.StdErr}");
        var conflict = await WaitForAsync(() => a.Events.Any(e => e.Kind == AnnouncerEventKind.Conflict), Deadline);
        var back = await WaitForMacAsync(lab.Client, LabNetwork.Vip4, owner.Mac, Deadline);

        var d = a.Conflicts.Detector;
        output.WriteLine($"detector: seen {d.FramesSeen} ignored {d.FramesIgnored} malformed {d.FramesMalformed} conflicts {d.Conflicts}, receive errors {a.Conflicts.ReceiveErrors}; "
            + string.Join(",", Enum.GetValues<FrameDropReason>().Select(r => $"{r}={d.Dropped(r)}")));
        Assert.True(conflict, $"no conflict seen; arping exit {arping.ExitCode}: {arping.StdErr}");
        var e = a.Events.First(e => e.Kind == AnnouncerEventKind.Conflict);
        Assert.Contains(string.Join(':', rogue.Mac.GetAddressBytes().Select(x => x.ToString("x2", System.Globalization.CultureInfo.InvariantCulture))), e.Message, StringComparison.Ordinal);
        Assert.True(await WaitForAsync(() => a.Announcer.Counters.Announcements == sentBefore + 3, Deadline), "no fresh burst");
        Assert.True(back, "client entry not back on the owner's MAC");
    }

    private static OwnedVip Vip(string name, IPAddress address, int prefixLength)
        => new(name, new VipBinding(address, prefixLength, "eth0"), AnnouncementPolicy.Default);

    private static async Task PingAsync(LabHost client, IPAddress address)
    {
        var args = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? new[] { "-6", "-c", "1", "-W", "2", address.ToString() }
            : new[] { "-c", "1", "-W", "2", address.ToString() };
        var ping = await client.ExecAsync("ping", args);
        Assert.True(ping.ExitCode == 0, $"ping {address}: {ping.StdOut}{ping.StdErr}");
    }

    private static async Task<bool> WaitForMacAsync(LabHost client, IPAddress address, PhysicalAddress mac, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 2000 && watch.Elapsed < timeout; i++)
        {
            if (Equals((await client.NeighborAsync(address))?.Mac, mac))
            {
                return true;
            }

            await Task.Delay(1);
        }

        return false;
    }

    private static async Task<bool> WaitForAsync(Func<bool> condition, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 2000 && watch.Elapsed < timeout; i++)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(1);
        }

        return condition();
    }
}
