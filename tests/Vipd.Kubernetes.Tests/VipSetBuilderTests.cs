using System.Net.Sockets;
using Vipd.Kubernetes.Vips;
using static Vipd.Kubernetes.Tests.Objects;

namespace Vipd.Kubernetes.Tests;

public class VipSetBuilderTests
{
    [Fact]
    public void Build_Cluster_EveryNodeAllowedPreemptOff()
    {
        var config = TestConfig();
        var services = new[] { View(Service("web", 1).WithIngress("192.0.2.200")) };

        var vip = Assert.Single(VipSetBuilder.Build(config, services, EndpointIndex.Build([])));

        Assert.Equal("default.web.v4", vip.Name);
        Assert.Equal("192.0.2.200/32", vip.Address);
        Assert.Equal("eth0", vip.Interface);
        Assert.Empty(vip.AllowedNodes);
        Assert.False(vip.Preempt);
        Assert.True(vip.HasPreempt);
    }

    [Fact]
    public void Build_Local_OnlyNodesWithServingEndpoints()
    {
        var config = TestConfig();
        var services = new[] { View(Service("web", 1, local: true).WithIngress("192.0.2.200")) };
        var slices = EndpointIndex.Build(
        [
            Slice("web", "web-a", "default", ("n3", true), ("n1", true), ("n2", false)),
            Slice("web", "web-b", "default", ("n4", true)),
            Slice("web", "other-ns", "prod", ("n9", true)),
        ]);

        var vip = Assert.Single(VipSetBuilder.Build(config, services, slices));

        Assert.Equal(["n1", "n3", "n4"], vip.AllowedNodes);
    }

    [Fact]
    public void Build_LocalWithoutEndpoints_LeftOut()
    {
        var config = TestConfig();
        var services = new[] { View(Service("web", 1, local: true).WithIngress("192.0.2.200")), View(Service("api", 2).WithIngress("192.0.2.201")) };
        var slices = EndpointIndex.Build([Slice("web", "web-a", "default", ("n1", false))]);

        var vips = VipSetBuilder.Build(config, services, slices);

        Assert.Equal(["default.api.v4"], vips.Select(v => v.Name));
    }

    [Fact]
    public void Build_TerminatingButServing_Counts()
    {
        var slice = Slice("web", "web-a", "default", ("n1", false));
        slice.Endpoints![0].Conditions = new Kube.Models.EndpointConditions { Ready = false, Serving = true, Terminating = true };

        Assert.Equal(["n1"], EndpointIndex.Build([slice])["default/web"]);
    }

    [Fact]
    public void Build_SharedAddress_OneVipNamedAfterTheFirst()
    {
        var config = TestConfig();
        var services = new[]
        {
            View(Service("udp", 2, share: "k", ports: [53]).WithIngress("192.0.2.200")),
            View(Service("tcp", 1, share: "k", ports: [54]).WithIngress("192.0.2.200")),
        };

        var vip = Assert.Single(VipSetBuilder.Build(config, services, EndpointIndex.Build([])));

        Assert.Equal("default.tcp.v4", vip.Name);
    }

    [Fact]
    public void Build_AddressOutsidePools_NotAnnounced()
    {
        var config = TestConfig();
        var services = new[] { View(Service("foreign", 1).WithIngress("203.0.113.9")) };

        Assert.Empty(VipSetBuilder.Build(config, services, EndpointIndex.Build([])));
    }

    [Fact]
    public void Build_PoolInterfaceAndPrefix_Used()
    {
        var pool = Pool("v6", "2001:db8::/120") with { Interface = "bond0", Ipv6PrefixLength = 64 };
        var config = TestConfig(pool);
        var services = new[] { View(Service("web", 1, families: ["IPv6"]).WithIngress("2001:db8::5")) };

        var vip = Assert.Single(VipSetBuilder.Build(config, services, EndpointIndex.Build([])));

        Assert.Equal("default.web.v6", vip.Name);
        Assert.Equal("2001:db8::5/64", vip.Address);
        Assert.Equal("bond0", vip.Interface);
    }

    [Theory]
    [InlineData("default", "web", "default.web.v4")]
    [InlineData("kube-system", "a-very-long-service-name-that-goes-on-and-on-forever-and-ever", "kube-system.a-very-long-service-name-that-goes-on-")]
    public void VipName_For_ValidAndBounded(string ns, string name, string expectedPrefix)
    {
        var vipName = VipName.For(ns, name, AddressFamily.InterNetwork);

        Assert.StartsWith(expectedPrefix, vipName, StringComparison.Ordinal);
        Assert.True(vipName.Length <= 63);
        Assert.Matches("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$", vipName);
        Assert.Equal(vipName, VipName.For(ns, name, AddressFamily.InterNetwork));
        Assert.NotEqual(vipName, VipName.For(ns, name + "x", AddressFamily.InterNetwork));
    }
}
