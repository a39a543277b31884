using System.Diagnostics;
using System.Globalization;
using System.Net;
using Vipd.Core.Reconcile;
using Vipd.Linux;
using Vipd.Linux.Neighbor;
using Xunit.Abstractions;

namespace Vipd.Lab.Tests;

/// <summary>
/// NeighborAnnouncer against real kernels: a client that talked to the VIP on n1 follows it to n2 as soon as n2
/// announces, without waiting for its neighbour entry to expire; the frames decode as the brief says in tshark.
/// </summary>
public sealed class NeighborLabTests(ITestOutputHelper output)
{
    private const int SigInt = 2;
    private static readonly TimeSpan FollowWithin = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task Announce_IPv4AfterMove_ClientEntryFollowsAtOnce()
    {
        await using var lab = await LabNetwork.CreateAsync(2);
        var (n1, n2) = (lab.Nodes[0], lab.Nodes[1]);
        await MoveVipAsync(lab, LabNetwork.Vip4, n1, n2);
        using var announcer = n2.Run(() => new NeighborAnnouncer());

        var elapsed = await AnnounceAndWaitForClientAsync(lab, announcer, n2, LabNetwork.Vip4);

        output.WriteLine($"IPv4: client entry moved to n2 {elapsed.TotalMilliseconds:F1} ms after the announcement");
        Assert.Equal(2, announcer.ArpSent);
    }

    [Fact]
    public async Task Announce_IPv6AfterMove_ClientEntryFollowsAtOnce()
    {
        await using var lab = await LabNetwork.CreateAsync(2);
        var (n1, n2) = (lab.Nodes[0], lab.Nodes[1]);
        await MoveVipAsync(lab, LabNetwork.Vip6, n1, n2);
        using var announcer = n2.Run(() => new NeighborAnnouncer());

        var elapsed = await AnnounceAndWaitForClientAsync(lab, announcer, n2, LabNetwork.Vip6);

        output.WriteLine($"IPv6: client entry moved to n2 {elapsed.TotalMilliseconds:F1} ms after the announcement");
        Assert.Equal(1, announcer.AdvertisementsSent);
    }

    [Fact]
    public async Task Announce_IPv4_TsharkShowsGratuitousRequestAndReply()
    {
        await using var lab = await LabNetwork.CreateAsync(1);
        var n1 = lab.Nodes[0];
        await n1.AddAddressAsync(LabNetwork.Vip4);
        using var announcer = n1.Run(() => new NeighborAnnouncer());

        var rows = await CaptureAsync(lab, "arp", () => n1.Run(() => announcer.Announce(Link(n1), LabNetwork.Vip4)),
            ["frame.len", "eth.dst", "eth.src", "arp.opcode", "arp.src.hw_mac", "arp.src.proto_ipv4", "arp.dst.hw_mac", "arp.dst.proto_ipv4"],
            $"arp.src.proto_ipv4 == {LabNetwork.Vip4}");

        var mac = Colon(n1.Mac);
        var vip = LabNetwork.Vip4.ToString();
        Assert.Equal(2, rows.Count);
        Assert.Equal(["42", "ff:ff:ff:ff:ff:ff", mac, "1", mac, vip, "00:00:00:00:00:00", vip], rows[0]);
        Assert.Equal(["42", "ff:ff:ff:ff:ff:ff", mac, "2", mac, vip, mac, vip], rows[1]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Announce_IPv6_TsharkShowsUnsolicitedAdvertisement(bool forwarding)
    {
        await using var lab = await LabNetwork.CreateAsync(1);
        var n1 = lab.Nodes[0];
        await n1.AddAddressAsync(LabNetwork.Vip6);
        if (forwarding)
        {
            // A sysctl of the node's own namespace, not of the host.
            var set = await n1.ExecAsync("sysctl", "-qw", "net.ipv6.conf.eth0.forwarding=1");
            Assert.True(set.ExitCode == 0, set.StdErr);
        }

        using var announcer = n1.Run(() => new NeighborAnnouncer());

        var rows = await CaptureAsync(lab, "icmp6", () => n1.Run(() => announcer.Announce(Link(n1), LabNetwork.Vip6)),
            ["eth.dst", "eth.src", "ipv6.src", "ipv6.dst", "ipv6.hlim", "icmpv6.type", "icmpv6.code", "icmpv6.checksum.status",
                "icmpv6.nd.na.flag.r", "icmpv6.nd.na.flag.s", "icmpv6.nd.na.flag.o", "icmpv6.nd.na.target_address", "icmpv6.opt.linkaddr"],
            "icmpv6.type == 136");

        var row = Assert.Single(rows);
        Assert.Equal(
            ["33:33:00:00:00:01", Colon(n1.Mac), "2001:db8::200", "ff02::1", "255", "136", "0", "1",
                forwarding ? "1" : "0", "0", "1", "2001:db8::200", Colon(n1.Mac)],
            row);
    }

    [Fact]
    public async Task Announce_IPv6AddressNotOnNode_ThrowsKernelException()
    {
        await using var lab = await LabNetwork.CreateAsync(1);
        var n1 = lab.Nodes[0];
        using var announcer = n1.Run(() => new NeighborAnnouncer());

        var ex = Assert.IsType<KernelException>(n1.Run(() => Record.Exception(() => announcer.Announce(Link(n1), LabNetwork.Vip6))));

        Assert.Equal(22, ex.Errno); // EINVAL: IPV6_PKTINFO with a source the node does not hold
        Assert.Equal("eth0", ex.Interface);
        Assert.Equal(0, announcer.AdvertisementsSent);
    }

    [Fact]
    public async Task Announce_TentativeIPv6Vip_ThrowsKernelException()
    {
        await using var lab = await LabNetwork.CreateAsync(1);
        var n1 = lab.Nodes[0];

        // DAD on, slow, in the node's own namespace; the VIP added without nodad stays tentative for seconds.
        foreach (var setting in new[] { "net.ipv6.conf.eth0.accept_dad=1", "net.ipv6.conf.eth0.dad_transmits=30" })
        {
            var set = await n1.ExecAsync("sysctl", "-qw", setting);
            Assert.True(set.ExitCode == 0, set.StdErr);
        }

        var add = await n1.ExecAsync("ip", "-6", "addr", "add", "2001:db8::200/64", "dev", "eth0");
        Assert.True(add.ExitCode == 0, add.StdErr);
        var show = await n1.ExecAsync("ip", "-6", "addr", "show", "dev", "eth0");
        Assert.Contains("tentative", show.StdOut, StringComparison.Ordinal);
        using var announcer = n1.Run(() => new NeighborAnnouncer());

        var ex = Assert.IsType<KernelException>(n1.Run(() => Record.Exception(() => announcer.Announce(Link(n1), LabNetwork.Vip6))));

        output.WriteLine(ex.Message);
        Assert.Equal(22, ex.Errno); // EINVAL: a tentative address is not yet usable as a source
    }

    [Fact]
    public async Task Announce_FromFourThreads_AllSent()
    {
        await using var lab = await LabNetwork.CreateAsync(1);
        var n1 = lab.Nodes[0];
        await n1.AddAddressAsync(LabNetwork.Vip4);
        await n1.AddAddressAsync(LabNetwork.Vip6);
        using var announcer = n1.Run(() => new NeighborAnnouncer());

        // Sockets live in n1's namespace whichever thread sends; the forwarding sysctl is opened on the first call.
        n1.Run(() => announcer.Announce(Link(n1), LabNetwork.Vip6));
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, worker =>
        {
            var link = Link(n1); // a fresh LinkInfo per thread, equal to the cached one
            for (var i = 0; i < 500; i++)
            {
                announcer.Announce(link, i % 2 == 0 ? LabNetwork.Vip4 : LabNetwork.Vip6);
            }
        });

        Assert.Equal(4 * 250 * 2, announcer.ArpSent);
        Assert.Equal(1 + (4 * 250), announcer.AdvertisementsSent);
    }

    [Fact]
    public async Task Announce_UnknownInterfaceIndex_ThrowsKernelException()
    {
        await using var lab = await LabNetwork.CreateAsync(1);
        var n1 = lab.Nodes[0];
        using var announcer = n1.Run(() => new NeighborAnnouncer());
        var missing = Link(n1) with { Index = 9999, Name = "nope0" };

        var ex = Assert.IsType<KernelException>(n1.Run(() => Record.Exception(() => announcer.Announce(missing, LabNetwork.Vip4))));

        output.WriteLine(ex.Message);
        Assert.Equal(6, ex.Errno); // ENXIO from AF_PACKET for an unknown ifindex
        Assert.Equal("nope0", ex.Interface);
    }

    [Fact]
    public async Task Announce_OneThread_RateAndNoAllocation()
    {
        await using var lab = await LabNetwork.CreateAsync(1);
        var n1 = lab.Nodes[0];
        await n1.AddAddressAsync(LabNetwork.Vip4);
        await n1.AddAddressAsync(LabNetwork.Vip6);
        using var announcer = n1.Run(() => new NeighborAnnouncer());
        var link = Link(n1);

        foreach (var vip in new[] { LabNetwork.Vip4, LabNetwork.Vip6 })
        {
            var (rate, allocated) = n1.Run(() =>
            {
                for (var i = 0; i < 1_000; i++)
                {
                    announcer.Announce(link, vip); // warm up: link state, JIT
                }

                const int Count = 20_000;
                var before = GC.GetAllocatedBytesForCurrentThread();
                var watch = Stopwatch.StartNew();
                for (var i = 0; i < Count; i++)
                {
                    announcer.Announce(link, vip);
                }

                watch.Stop();
                return (Count / watch.Elapsed.TotalSeconds, GC.GetAllocatedBytesForCurrentThread() - before);
            });

            output.WriteLine($"{vip}: {rate:F0} announcements/s from one thread, {allocated} bytes allocated for 20,000");
            Assert.True(rate > 1_000, $"{rate:F0}/s");
            Assert.True(allocated < 1_024, $"{allocated} bytes allocated");
        }
    }

    internal static LinkInfo Link(LabHost host) => new(host.InterfaceIndex, host.Interface, host.Mac, true, 1500);

    /// <summary>Client learns the VIP on <paramref name="from"/>; then <paramref name="to"/> adds it and <paramref name="from"/> drops it.</summary>
    private static async Task MoveVipAsync(LabNetwork lab, IPAddress vip, LabHost from, LabHost to)
    {
        await from.AddAddressAsync(vip);
        var ping = await lab.Client.ExecAsync("ping", vip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "-6" : "-4", "-c", "1", "-W", "2", vip.ToString());
        Assert.True(ping.ExitCode == 0, ping.StdOut + ping.StdErr);
        Assert.Equal(from.Mac, (await lab.Client.NeighborAsync(vip))?.Mac);
        await to.AddAddressAsync(vip);
        await from.RemoveAddressAsync(vip);
    }

    private static async Task<TimeSpan> AnnounceAndWaitForClientAsync(LabNetwork lab, NeighborAnnouncer announcer, LabHost to, IPAddress vip)
    {
        // Without an announcement the client keeps the old MAC (until its entry goes stale and is probed, seconds).
        var before = await lab.Client.NeighborAsync(vip);
        Assert.NotNull(before);
        Assert.NotEqual(to.Mac, before.Mac);

        var watch = Stopwatch.StartNew();
        to.Run(() => announcer.Announce(Link(to), vip));
        NeighborEntry? entry;
        do
        {
            entry = await lab.Client.NeighborAsync(vip);
        }
        while (!Equals(entry?.Mac, to.Mac) && watch.Elapsed < FollowWithin);

        var elapsed = watch.Elapsed;
        Assert.True(Equals(entry?.Mac, to.Mac), $"client entry {entry} after {elapsed.TotalMilliseconds:F0} ms");
        return elapsed;
    }

    /// <summary>Captures on the client while <paramref name="action"/> runs, then decodes the capture with tshark.</summary>
    private async Task<List<string[]>> CaptureAsync(LabNetwork lab, string filter, Action action, string[] fields, string displayFilter)
    {
        Directory.CreateDirectory(lab.WorkDirectory);
        var path = Path.Combine(lab.WorkDirectory, $"neighbor-{Guid.NewGuid():N}.pcap");
        await using (var tcpdump = lab.Client.Start("tcpdump", ["-i", "eth0", "-n", "-U", "--immediate-mode", "-Z", "root", "-w", path, filter]))
        {
            await tcpdump.WaitForOutputAsync("listening on", TimeSpan.FromSeconds(10));
            action();
            await Task.Delay(TimeSpan.FromMilliseconds(300)); // immediate mode + -U write each packet at once
            tcpdump.Kill(SigInt);
            Assert.True(await tcpdump.WaitForExitAsync(TimeSpan.FromSeconds(5)), "tcpdump did not stop");
        }

        var args = new List<string> { "-r", path, "-T", "fields", "-E", "separator=|", "-Y", displayFilter };
        foreach (var field in fields)
        {
            args.Add("-e");
            args.Add(field);
        }

        var decoded = await lab.Client.ExecAsync("tshark", [.. args]);
        Assert.True(decoded.ExitCode == 0, decoded.StdErr);
        output.WriteLine(decoded.StdOut);
        return decoded.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r').Split('|')).ToList();
    }

    private static string Colon(System.Net.NetworkInformation.PhysicalAddress mac) =>
        string.Join(':', mac.GetAddressBytes().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
}
