using System.Net;
using Vipd.Core.Checks;
using Vipd.Core.Config;

namespace Vipd.Core.Tests.Simulation.WholeNode;

/// <summary>BGP-mode VIPs on complete nodes: no GARP/NA, active-active held by every eligible node, active-standby handed over make-before-break.</summary>
public sealed class WholeNodeBgpTests
{
    private static readonly IPAddress ActiveActive = IPAddress.Parse("198.51.100.100");
    private static readonly IPAddress ActiveStandby = IPAddress.Parse("198.51.100.101");

    [Fact]
    public void ActiveActive_EveryEligibleNodeHoldsIt_FailingCheckWithdrawsOnlyThere_NoAnnouncement()
    {
        using var sim = Bgp(seed: 11);
        sim.Run(TimeSpan.FromSeconds(3));

        Assert.All(sim.Hosts, h => Assert.True(h.Kernel.Has(ActiveActive), $"{h.Name} does not hold the active-active VIP"));
        Assert.Single(sim.Hosts, h => h.Kernel.Has(ActiveStandby));
        Assert.False(sim.Segment.ClientCache.ContainsKey(ActiveActive));
        Assert.False(sim.Segment.ClientCache.ContainsKey(ActiveStandby));

        var failing = sim.Hosts[0];
        sim.FailCheck(failing, TimeSpan.FromSeconds(3));
        sim.Run(TimeSpan.FromSeconds(1));
        Assert.False(failing.Kernel.Has(ActiveActive));
        Assert.All(sim.Hosts.Skip(1), h => Assert.True(h.Kernel.Has(ActiveActive)));

        sim.Run(TimeSpan.FromSeconds(3));
        Assert.True(failing.Kernel.Has(ActiveActive), "the VIP did not come back after the check passed again");
    }

    [Fact]
    public void ActiveStandby_Drain_SuccessorHoldsItBeforeTheOwnerLetsGo()
    {
        using var sim = Bgp(seed: 12);
        sim.Run(TimeSpan.FromSeconds(3));
        var owner = Assert.Single(sim.Hosts, h => h.Kernel.Has(ActiveStandby));

        var node = owner.Node!;
        owner.Loop!.Post(node.BeginDrain);
        TimeSpan? first = null, last = null;
        sim.Run(TimeSpan.FromSeconds(2), () =>
        {
            if (owner.Kernel.Has(ActiveStandby) && sim.Hosts.Count(h => h.Kernel.Has(ActiveStandby)) == 2)
            {
                first ??= sim.Now;
                last = sim.Now;
            }
        });

        // Both advertise for the linger (500 ms): the successor's route reaches the routers before the owner's goes.
        Assert.True(first is not null && last - first >= TimeSpan.FromMilliseconds(400), $"overlap from {first} to {last}");
        Assert.False(owner.Kernel.Has(ActiveStandby));
        Assert.Single(sim.Hosts, h => h.Kernel.Has(ActiveStandby));
        Assert.True(owner.Kernel.Has(ActiveActive) is false, "a draining node still advertises the active-active VIP");
    }

    [Fact]
    public void SessionsDown_OwnerGivesUpBothPolicies_AnotherNodeTakesOver_BackWhenEstablished()
    {
        // A node whose BGP sessions are all down could bind a BGP VIP but not advertise it: it must not be elected
        // (nor hold an active-active VIP), and its peers must see that through its record.
        using var sim = Bgp(seed: 13);
        sim.Run(TimeSpan.FromSeconds(3));
        var owner = Assert.Single(sim.Hosts, h => h.Kernel.Has(ActiveStandby));

        sim.SetBgpSessions(owner, BgpSessions.Down);
        sim.Run(TimeSpan.FromSeconds(1));
        Assert.False(owner.Kernel.Has(ActiveStandby), "the node without a BGP session still holds the active-standby VIP");
        Assert.False(owner.Kernel.Has(ActiveActive), "the node without a BGP session still holds the active-active VIP");
        var successor = Assert.Single(sim.Hosts, h => h.Kernel.Has(ActiveStandby));
        Assert.NotSame(owner, successor);
        Assert.All(sim.Hosts.Where(h => h != owner), h => Assert.True(h.Kernel.Has(ActiveActive)));
        var (eligible, _, reason) = owner.Node!.LocalVerdict(owner.Node.Vips.Find("v1")!, owner.Kernel.FindLink("eth0"));
        Assert.False(eligible);
        Assert.Contains("BGP session", reason, StringComparison.Ordinal);

        sim.SetBgpSessions(owner, BgpSessions.Established);
        sim.Run(TimeSpan.FromSeconds(2));
        Assert.True(owner.Kernel.Has(ActiveActive), "the active-active VIP did not come back with the session");
        Assert.Single(sim.Hosts, h => h.Kernel.Has(ActiveStandby));
    }

    [Fact]
    public void SessionsNeverEstablished_NodeNeverHoldsABgpVip_WhileL2LikeDecisionsGoOn()
    {
        // From its start, one node's FRR has no session (unknown, then down): it never takes a BGP VIP, even when the
        // others' sessions go down too (then no node holds the active-standby VIP: none could advertise it).
        using var sim = Bgp(seed: 14, hostsWithoutSession: 1);
        var lonely = sim.Hosts[0];
        var held = false;
        sim.Run(TimeSpan.FromSeconds(3), () => held |= lonely.Kernel.Has(ActiveStandby) || lonely.Kernel.Has(ActiveActive));
        Assert.False(held, "a node without a BGP session held a BGP VIP");
        Assert.Single(sim.Hosts, h => h.Kernel.Has(ActiveStandby));

        foreach (var host in sim.Hosts.Skip(1))
        {
            sim.SetBgpSessions(host, BgpSessions.Down);
        }

        sim.Run(TimeSpan.FromSeconds(2), () => held |= lonely.Kernel.Has(ActiveStandby) || lonely.Kernel.Has(ActiveActive));
        Assert.False(held, "a node without a BGP session held a BGP VIP");
        Assert.All(sim.Hosts, h => Assert.False(h.Kernel.Has(ActiveStandby) || h.Kernel.Has(ActiveActive), $"{h.Name} holds a BGP VIP without a session"));
    }

    private static NodeSimulation Bgp(int seed, int hostsWithoutSession = 0)
    {
        var sim = new NodeSimulation(seed, hosts: 3, vips: 2, quorum: false);
        var bgp = new BgpConfig { Asn = 64513, RouterId = IPAddress.Parse("192.0.2.11"), Peers = new([new BgpPeerConfig { Address = IPAddress.Parse("192.0.2.1"), Asn = 64512 }]) };
        for (var i = 0; i < sim.Config.Length; i++)
        {
            var config = sim.Config[i];
            sim.Config[i] = config with
            {
                Bgp = bgp,
                Vips = new(config.Vips.Select(v => v.Name == "v0"
                    ? v with { Mode = VipMode.Bgp, Policy = BgpPolicy.ActiveActive }
                    : v with { Mode = VipMode.Bgp, Policy = BgpPolicy.ActiveStandby })),
            };
        }

        foreach (var host in sim.Hosts)
        {
            host.BgpSessions = host.Index < hostsWithoutSession ? BgpSessions.Down : BgpSessions.Established;
            sim.Start(host, freshKernel: true);
        }

        return sim;
    }
}
