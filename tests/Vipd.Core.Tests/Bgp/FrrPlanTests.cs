using Vipd.Core.Bgp;
using Vipd.Core.Config;
using Vipd.Core.Tests.Config;

namespace Vipd.Core.Tests.Bgp;

public class FrrPlanTests
{
    private static readonly VipdConfig Config = ConfigLoader.Parse(BgpConfigTests.Valid, "vipd.toml", new ConfigLoadOptions { CheckFiles = false, HostName = "h" }).Config!;

    private static BgpConfig Bgp => Config.Bgp!;

    /// <summary>What FRR 8.4 printed after vipd's commands for <see cref="BgpConfigTests.Valid"/> (plus an operator's own lines).</summary>
    private const string Running = """
        Building configuration...

        Current configuration:
        !
        frr version 8.4.4
        frr defaults datacenter
        hostname vm
        !
        router bgp 64513
         bgp router-id 192.0.2.11
         neighbor 192.0.2.1 remote-as 64512
         neighbor 192.0.2.1 description vipd
         neighbor 192.0.2.1 bfd
         neighbor 192.0.2.1 bfd profile VIPD-50X3
         neighbor 192.0.2.1 password s3cret
         neighbor 192.0.2.1 timers 1 3
         neighbor 2001:db8::1 remote-as 64512
         neighbor 2001:db8::1 description vipd
         neighbor 2001:db8::1 timers 3 9
         neighbor 192.0.2.99 remote-as 65001
         neighbor 192.0.2.99 description operator
         !
         address-family ipv4 unicast
          redistribute connected route-map VIPD-EXPORT
          neighbor 192.0.2.1 activate
         exit-address-family
         !
         address-family ipv6 unicast
          redistribute connected route-map VIPD-EXPORT
          neighbor 2001:db8::1 activate
         exit-address-family
        exit
        !
        ip prefix-list OPERATOR seq 5 permit 192.0.2.0/24
        ip prefix-list VIPD-4-7D0B4B48 seq 5 permit 198.51.100.7/32
        ipv6 prefix-list VIPD-6 seq 5 permit 2001:db8:2::7/128
        !
        route-map VIPD-EXPORT permit 10
         match ip address prefix-list VIPD-4-7D0B4B48
         set community 64512:100 no-export
        exit
        !
        route-map VIPD-EXPORT permit 20
         match ipv6 address prefix-list VIPD-6
        exit
        !
        bfd
         profile VIPD-50X3
          transmit-interval 50
          receive-interval 50
         exit
         !
         profile operator
         exit
        exit
        !
        end
        """;

    [Fact]
    public void Desired_ValidConfig_OwnedObjectsOnly()
    {
        var desired = FrrPlan.Desired(Bgp, Config.Vips);
        var text = string.Join('\n', FrrPlan.Commands(desired, FrrConfigTree.Parse(string.Empty), Bgp));

        Assert.StartsWith("configure terminal\nbfd\nprofile VIPD-50X3\ntransmit-interval 50\nreceive-interval 50\ndetect-multiplier 3\nexit\nexit\n", text, StringComparison.Ordinal);
        Assert.Contains("ipv6 prefix-list VIPD-6 permit 2001:db8:2::7/128\n", text, StringComparison.Ordinal);
        Assert.Matches(@"ip prefix-list VIPD-4-[0-9A-F]{8} permit 198\.51\.100\.7/32\n", text);
        Assert.Matches(@"route-map VIPD-EXPORT permit 10\nmatch ip address prefix-list VIPD-4-[0-9A-F]{8}\nset community 64512:100 no-export\nexit\n", text);
        Assert.Contains("route-map VIPD-EXPORT permit 20\nmatch ipv6 address prefix-list VIPD-6\nexit\n", text, StringComparison.Ordinal);
        Assert.Contains(
            "router bgp 64513\nbgp router-id 192.0.2.11\nno bgp ebgp-requires-policy\nneighbor 192.0.2.1 remote-as 64512\nneighbor 192.0.2.1 description vipd\n"
            + "neighbor 192.0.2.1 password s3cret\nneighbor 192.0.2.1 bfd profile VIPD-50X3\nneighbor 192.0.2.1 timers 1 3\n"
            + "neighbor 2001:db8::1 remote-as 64512\nneighbor 2001:db8::1 description vipd\nneighbor 2001:db8::1 timers 3 9\n"
            + "address-family ipv4 unicast\nredistribute connected route-map VIPD-EXPORT\nneighbor 192.0.2.1 activate\nexit-address-family\n"
            + "address-family ipv6 unicast\nredistribute connected route-map VIPD-EXPORT\nneighbor 2001:db8::1 activate\nexit-address-family\nexit\nend",
            text,
            StringComparison.Ordinal);
        Assert.DoesNotContain("web", text, StringComparison.Ordinal);
        Assert.DoesNotContain("192.0.2.200", text, StringComparison.Ordinal);
        Assert.DoesNotContain("no ", text.Replace("no bgp ebgp-requires-policy", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Commands_RunningMatchesExceptTheCommunityHash_NoRemovalOfOperatorLines()
    {
        var desired = FrrPlan.Desired(Bgp, Config.Vips);
        var running = FrrConfigTree.Parse(Running.Replace("VIPD-4-7D0B4B48", DesiredV4List(desired), StringComparison.Ordinal));

        var commands = FrrPlan.Commands(desired, running, Bgp);

        Assert.DoesNotContain(commands, c => c.StartsWith("no ", StringComparison.Ordinal) && c != "no bgp ebgp-requires-policy");
        Assert.DoesNotContain(commands, c => c.Contains("OPERATOR", StringComparison.Ordinal) || c.Contains("192.0.2.99", StringComparison.Ordinal) || c.Contains("operator", StringComparison.Ordinal));
    }

    [Fact]
    public void Commands_PeerAndVipRemoved_StaleOwnedObjectsRemovedAfterTheDesiredOnes()
    {
        var smaller = Config with
        {
            Bgp = Bgp with { Peers = new([Bgp.Peers[0] with { Password = null, Bfd = false }]) },
            Vips = new(Config.Vips.Where(v => v.Name != "db")),
        };
        var desired = FrrPlan.Desired(smaller.Bgp!, smaller.Vips);
        var running = FrrConfigTree.Parse(Running.Replace("VIPD-4-7D0B4B48", DesiredV4List(desired), StringComparison.Ordinal));

        var commands = FrrPlan.Commands(desired, running, smaller.Bgp!);
        var removals = commands.Where(c => c.StartsWith("no ", StringComparison.Ordinal) && c != "no bgp ebgp-requires-policy").ToList();

        Assert.Equal(
            [
                "no neighbor 2001:db8::1",
                "no neighbor 192.0.2.1 bfd",
                "no neighbor 192.0.2.1 bfd profile VIPD-50X3",
                "no neighbor 192.0.2.1 password s3cret",
                "no ipv6 prefix-list VIPD-6 seq 5 permit 2001:db8:2::7/128",
                "no route-map VIPD-EXPORT permit 20",
                "no profile VIPD-50X3",
            ],
            removals);
        Assert.True(commands.ToList().IndexOf("no profile VIPD-50X3") > commands.ToList().IndexOf("no neighbor 192.0.2.1 bfd"));
        Assert.Equal("end", commands[^1]);
    }

    [Fact]
    public void OwnedDigest_OperatorLinesChange_Unchanged_OwnedLineChanges_Changed()
    {
        var running = FrrConfigTree.Parse(Running);
        var digest = FrrPlan.OwnedDigest(running, Bgp);

        Assert.Equal(digest, FrrPlan.OwnedDigest(FrrConfigTree.Parse(Running.Replace("OPERATOR seq 5", "OPERATOR seq 10", StringComparison.Ordinal).Replace("profile operator", "profile other", StringComparison.Ordinal)), Bgp));
        Assert.NotEqual(digest, FrrPlan.OwnedDigest(FrrConfigTree.Parse(Running.Replace("transmit-interval 50", "transmit-interval 300", StringComparison.Ordinal)), Bgp));
        Assert.NotEqual(digest, FrrPlan.OwnedDigest(FrrConfigTree.Parse("frr defaults datacenter\n!\nend\n"), Bgp));
    }

    [Fact]
    public void OtherRouter_AnotherAsRunning_Named()
    {
        Assert.Null(FrrPlan.OtherRouter(FrrConfigTree.Parse(Running), Bgp));
        Assert.Equal("router bgp 65001", FrrPlan.OtherRouter(FrrConfigTree.Parse("router bgp 65001\n neighbor 192.0.2.1 remote-as 65000\nexit\n"), Bgp));
    }

    [Fact]
    public void Parse_Indentation_BuildsContexts()
    {
        var tree = FrrConfigTree.Parse(Running);

        var router = tree.Find("router bgp 64513")!;
        Assert.Equal(3, router.Find("address-family ipv4 unicast")!.Children.Count + 1);
        Assert.Equal(2, tree.Find("bfd")!.Children.Count);
        Assert.Equal(["transmit-interval 50", "receive-interval 50"], tree.Find("bfd")!.Find("profile VIPD-50X3")!.Children.Select(c => c.Text));
        Assert.DoesNotContain(tree.Lines, l => l.Text is "end" or "exit" || l.Text.StartsWith('!'));
    }

    private static string DesiredV4List(FrrConfigTree desired) =>
        desired.Lines.First(l => l.Text.StartsWith("ip prefix-list ", StringComparison.Ordinal)).Text.Split(' ')[2];
}
