using System.Net;
using Vipd.Core.Config;
using Vipd.Core.Nodes;

namespace Vipd.Core.Tests.Config;

public class BgpConfigTests
{
    private static readonly ConfigLoadOptions NoFiles = new() { CheckFiles = false, HostName = "testhost", BaseDirectory = "/etc/vipd" };

    internal const string Valid = """
        [node]
        name = "n1"
        address = "192.0.2.11"
        interface = "eth0"

        [cluster]
        key_file = "cluster.key"

        [bgp]
        asn = 64513
        router_id = "192.0.2.11"
        pathspace = "lab-n1"
        vtysh = "/usr/local/bin/vtysh"
        sync_interval = "2s"

        [[bgp.peer]]
        address = "192.0.2.1"
        asn = 64512
        password = "s3cret"
        bfd_interval = "50ms"
        bfd_multiplier = 3
        keepalive = "1s"
        hold = "3s"

        [[bgp.peer]]
        address = "2001:db8::1"
        asn = 64512
        bfd = false

        [[vip]]
        name = "web"
        address = "192.0.2.200/24"

        [[vip]]
        name = "api"
        address = "198.51.100.7/32"
        mode = "bgp"
        policy = "active-active"
        communities = ["64512:100", "no-export"]

        [[vip]]
        name = "db"
        address = "2001:db8:2::7/128"
        mode = "bgp"
        """;

    [Fact]
    public void Parse_BgpSectionAndModes_AllValuesTyped()
    {
        var result = ConfigLoader.Parse(Valid, "vipd.toml", NoFiles);
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        var c = result.Config;

        var bgp = Assert.IsType<BgpConfig>(c.Bgp);
        Assert.Equal(64513, bgp.Asn);
        Assert.Equal(IPAddress.Parse("192.0.2.11"), bgp.RouterId);
        Assert.Equal("lab-n1", bgp.Pathspace);
        Assert.Equal("/usr/local/bin/vtysh", bgp.Vtysh);
        Assert.Equal(TimeSpan.FromSeconds(2), bgp.SyncInterval);
        Assert.Equal(2, bgp.Peers.Count);
        var first = bgp.Peers[0];
        Assert.Equal(new BgpPeerConfig { Address = IPAddress.Parse("192.0.2.1"), Asn = 64512, Password = "s3cret", Bfd = true, BfdInterval = TimeSpan.FromMilliseconds(50), BfdMultiplier = 3, Keepalive = TimeSpan.FromSeconds(1), Hold = TimeSpan.FromSeconds(3) }, first);
        var second = bgp.Peers[1];
        Assert.False(second.Bfd);
        Assert.Null(second.Password);
        Assert.Equal(TimeSpan.FromSeconds(3), second.Keepalive);
        Assert.Equal(TimeSpan.FromSeconds(9), second.Hold);

        var web = c.FindVip("web")!;
        Assert.Equal(VipMode.L2, web.Mode);
        Assert.Equal("eth0", web.Interface);
        Assert.False(web.HeldWhenEligible);
        var api = c.FindVip("api")!;
        Assert.Equal(VipMode.Bgp, api.Mode);
        Assert.Equal(BgpPolicy.ActiveActive, api.Policy);
        Assert.Equal("lo", api.Interface);
        Assert.Equal(["64512:100", "no-export"], api.Communities);
        Assert.True(api.HeldWhenEligible);
        var db = c.FindVip("db")!;
        Assert.Equal(BgpPolicy.ActiveStandby, db.Policy);
        Assert.Equal("lo", db.Interface);
        Assert.False(db.HeldWhenEligible);
    }

    [Fact]
    public void Parse_NoBgpSection_NullAndEveryVipL2()
    {
        var result = ConfigLoader.Parse("[node]\naddress = \"192.0.2.11\"\ninterface = \"eth0\"\n[cluster]\nkey_file = \"k\"\n[[vip]]\nname = \"web\"\naddress = \"192.0.2.200/24\"\n", "vipd.toml", NoFiles);

        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        Assert.Null(result.Config.Bgp);
        Assert.Equal(VipMode.L2, Assert.Single(result.Config.Vips).Mode);
    }

    [Fact]
    public void Parse_BgpWithoutPeers_RefusedAtTheTable()
    {
        var text = Valid[..Valid.IndexOf("[[bgp.peer]]", StringComparison.Ordinal)] + "[[vip]]\nname = \"x\"\naddress = \"198.51.100.9/32\"\nmode = \"bgp\"\n";

        var result = ConfigLoader.Parse(text, "vipd.toml", NoFiles);

        var error = Assert.Single(result.Errors);
        Assert.Equal("vipd.toml:9:1: [bgp] has no [[bgp.peer]]; add at least one neighbour (address and asn) to advertise VIPs to", error.ToString());
    }

    [Fact]
    public void Reload_BgpChanged_DiffSaysSo()
    {
        var before = ConfigLoader.Parse(Valid, "vipd.toml", NoFiles).Config!;
        var after = ConfigLoader.Parse(Valid.Replace("asn = 64513", "asn = 64514", StringComparison.Ordinal), "vipd.toml", NoFiles).Config!;

        var diff = ConfigDiff.Compute(before, after);

        Assert.True(diff.BgpChanged);
        Assert.False(diff.IsEmpty);
        Assert.True(diff.VipsChanged.IsEmpty);
    }

    [Fact]
    public void NodeVipSet_ActiveActiveVip_NotElected()
    {
        var config = ConfigLoader.Parse(Valid, "vipd.toml", NoFiles).Config!;

        var set = NodeVipSet.Build(config, [], new Dictionary<string, string>());

        Assert.Equal(3, set.Count);
        Assert.Equal(["db", "web"], set.Specs.Select(s => s.Name).Order(StringComparer.Ordinal));
    }
}
