using System.Net;
using Vipd.Kubernetes.Allocation;
using static Vipd.Kubernetes.Tests.Objects;

namespace Vipd.Kubernetes.Tests;

public class AllocatorTests
{
    private static Dictionary<string, string> Ips(IReadOnlyDictionary<string, AllocationResult> results) =>
        results.ToDictionary(r => r.Key, r => string.Join(",", r.Value.Addresses));

    [Fact]
    public void Allocate_NewServices_LowestFreeInCreationOrder()
    {
        var config = TestConfig();
        // Listed in a different order than created: the result depends on creation time, then namespace/name.
        var services = new[] { Service("c", 3), Service("a", 1), Service("b", 1, ns: "aaa") }.Select(s => View(s));

        var results = Allocator.Allocate(config, services);

        Assert.Equal("192.0.2.200", Ips(results)["aaa/b"]);
        Assert.Equal("192.0.2.201", Ips(results)["default/a"]);
        Assert.Equal("192.0.2.202", Ips(results)["default/c"]);
        Assert.All(results.Values, r => Assert.True(r.Ok));
    }

    [Fact]
    public void Allocate_ExistingStatus_IsKept()
    {
        var config = TestConfig();
        var services = new[] { Service("old", 5).WithIngress("192.0.2.203"), Service("new", 1) }.Select(s => View(s));

        var results = Allocator.Allocate(config, services);

        Assert.Equal("192.0.2.203", Ips(results)["default/old"]);
        Assert.Equal("192.0.2.200", Ips(results)["default/new"]);
    }

    [Fact]
    public void Allocate_PoolExhausted_ReportsTheLaterService()
    {
        var config = TestConfig(Pool("one", "192.0.2.200/32"));
        var services = new[] { Service("first", 1), Service("second", 2) }.Select(s => View(s));

        var results = Allocator.Allocate(config, services);

        Assert.Equal("192.0.2.200", Ips(results)["default/first"]);
        Assert.Empty(results["default/second"].Addresses);
        Assert.Equal("PoolExhausted", results["default/second"].Reason);
        Assert.Equal("no free IPv4 address in pool 'one'", results["default/second"].Message);
    }

    [Fact]
    public void Allocate_RequestedAddress_HonouredFromSpecAndAnnotation()
    {
        var config = TestConfig(Pool("auto", "192.0.2.200-192.0.2.203"), Pool("manual", false, "203.0.113.0/30"));
        var services = new[]
        {
            Service("spec", 1, loadBalancerIp: "192.0.2.202"),
            Service("annotated", 2, address: "203.0.113.2"),
            Service("outside", 3, address: "198.51.100.7"),
            Service("pooled", 4, pool: "manual"),
            Service("auto", 5),
        }.Select(s => View(s));

        var results = Allocator.Allocate(config, services);

        Assert.Equal("192.0.2.202", Ips(results)["default/spec"]);
        Assert.Equal("203.0.113.2", Ips(results)["default/annotated"]);
        Assert.Equal("AddressNotInPool", results["default/outside"].Reason);
        Assert.Equal("203.0.113.1", Ips(results)["default/pooled"]);
        // The auto-assign pool only; the manual pool is never used unasked.
        Assert.Equal("192.0.2.200", Ips(results)["default/auto"]);
    }

    [Fact]
    public void Allocate_RequestedAddressTaken_ConflictForTheLater()
    {
        var config = TestConfig();
        var services = new[] { Service("a", 1, address: "192.0.2.201"), Service("b", 2, loadBalancerIp: "192.0.2.201") }.Select(s => View(s));

        var results = Allocator.Allocate(config, services);

        Assert.Equal("192.0.2.201", Ips(results)["default/a"]);
        Assert.Equal("AddressInUse", results["default/b"].Reason);
        Assert.Contains("default/a", results["default/b"].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Allocate_SharingBothAskDifferentPorts_SameAddress()
    {
        var config = TestConfig();
        var services = new[]
        {
            Service("dns-tcp", 1, share: "dns", ports: [53]),
            Service("dns-udp", 2, share: "dns", ports: [5353]),
            Service("other", 3),
        }.Select(s => View(s));

        var results = Allocator.Allocate(config, services);

        Assert.Equal("192.0.2.200", Ips(results)["default/dns-tcp"]);
        Assert.Equal("192.0.2.200", Ips(results)["default/dns-udp"]);
        Assert.Equal("192.0.2.201", Ips(results)["default/other"]);
    }

    [Fact]
    public void Allocate_SharingOnlyOneAsks_NoSharing()
    {
        var config = TestConfig();
        var services = new[] { Service("a", 1, address: "192.0.2.200", share: "k"), Service("b", 2, address: "192.0.2.200", ports: [443]) }.Select(s => View(s));

        var results = Allocator.Allocate(config, services);

        Assert.Equal("AddressInUse", results["default/b"].Reason);
    }

    [Fact]
    public void Allocate_SharingPortsClash_Refused()
    {
        var config = TestConfig();
        var services = new[] { Service("a", 1, address: "192.0.2.200", share: "k"), Service("b", 2, address: "192.0.2.200", share: "k") }.Select(s => View(s));

        var results = Allocator.Allocate(config, services);

        Assert.Equal("AddressInUse", results["default/b"].Reason);
        Assert.Contains("port 80/TCP", results["default/b"].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Allocate_OtherClassOrType_NotManaged()
    {
        var config = TestConfig();
        var services = new[] { Service("cls", 1, lbClass: "other.io/lb"), Service("np", 2, type: "NodePort"), Service("mine", 3) }.Select(s => View(s));

        var results = Allocator.Allocate(config, services);

        Assert.Equal(["default/mine"], results.Keys);
        Assert.Equal("192.0.2.200", Ips(results)["default/mine"]);
    }

    [Fact]
    public void Allocate_DualStack_OneAddressPerFamily()
    {
        var config = TestConfig(Pool("v4", "192.0.2.200/32"), Pool("v6", "2001:db8::100-2001:db8::1ff"));
        var services = new[]
        {
            Service("both", 1, families: ["IPv6", "IPv4"], familyPolicy: "RequireDualStack"),
            Service("v6", 2, families: ["IPv6"]),
            Service("prefer", 3, families: ["IPv4", "IPv6"], familyPolicy: "PreferDualStack", pool: "v6"),
        }.Select(s => View(s));

        var results = Allocator.Allocate(config, services);

        Assert.Equal("2001:db8::100,192.0.2.200", Ips(results)["default/both"]);
        Assert.Equal("2001:db8::101", Ips(results)["default/v6"]);
        // The first family is required; pool v6 has no IPv4.
        Assert.Equal("NoPool", results["default/prefer"].Reason);
    }

    [Fact]
    public void Allocate_SameInputShuffled_SameResult()
    {
        var config = TestConfig(Pool("p", "192.0.2.0/29"));
        var services = Enumerable.Range(0, 8).Select(i => Service($"s{i}", i % 3, share: i % 2 == 0 ? "k" : null, ports: [80 + i])).ToList();
        var expected = Ips(Allocator.Allocate(config, services.Select(s => View(s))));
        var random = new Random(7);

        for (var round = 0; round < 20; round++)
        {
            var shuffled = services.OrderBy(_ => random.Next()).Select(s => View(s));
            Assert.Equal(expected, Ips(Allocator.Allocate(config, shuffled)));
        }
    }

    [Fact]
    public void Allocate_HugeIpv6Range_FindsFreeQuickly()
    {
        var config = TestConfig(Pool("v6", "2001:db8::/64"));
        var services = new[] { Service("a", 1, families: ["IPv6"]).WithIngress("2001:db8::"), Service("b", 2, families: ["IPv6"]) }.Select(s => View(s));

        var results = Allocator.Allocate(config, services);

        Assert.Equal(IPAddress.Parse("2001:db8::1"), Assert.Single(results["default/b"].Addresses));
    }

    [Fact]
    public void Allocate_AddressOfAnotherClass_NotGivenTwice()
    {
        var config = TestConfig();
        var services = new[] { Service("theirs", 1, lbClass: "other.io/lb").WithIngress("192.0.2.200"), Service("mine", 2) }.Select(s => View(s));

        var results = Allocator.Allocate(config, services);

        Assert.Equal("192.0.2.201", Ips(results)["default/mine"]);
    }
}
