using System.Net;
using Vipd.Core.Config;
using Vipd.Core.Intents;

namespace Vipd.Core.Tests.Intents;

public sealed class DynamicVipPolicyTests
{
    private static readonly Dictionary<IPAddress, string> NoneReserved = [];

    private static DynamicVipPolicy Policy(string api)
    {
        var text = $"""
            [node]
            name = "n1"
            address = "192.0.2.11"
            interface = "eth0"

            [cluster]
            peers = ["192.0.2.12"]
            key_file = "k"

            [api]
            {api}

            [[vip]]
            name = "cfg"
            address = "198.51.100.1/24"
            interface = "eth1"
            """;
        var result = ConfigLoader.Parse(text, "/etc/vipd/vipd.toml", new ConfigLoadOptions { CheckFiles = false });
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        return new DynamicVipPolicy(result.Config);
    }

    private static DynamicVip Vip(string cidr, string? iface = null)
    {
        Assert.True(IntentValidation.TryCreateVip("web", cidr, iface, null, null, null, 0, null, out var vip, out var errors), string.Join("; ", errors));
        return vip!;
    }

    [Fact]
    public void Check_NoPrefixesKey_RefusedNamingTheKeyAndFile()
    {
        var policy = Policy(string.Empty);

        var error = policy.Check(Vip("192.0.2.100/24"), NoneReserved);

        Assert.False(policy.Enabled);
        Assert.Contains("[api] vip_prefixes", error, StringComparison.Ordinal);
        Assert.Contains("/etc/vipd/vipd.toml", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("192.0.2.100/24", null)]
    [InlineData("192.0.2.100/32", null)]
    [InlineData("2001:db8:1::5/64", null)]
    [InlineData("192.0.2.100/24", "eth1")]
    public void Check_InsideAllowedPrefixAndInterface_Allowed(string cidr, string? iface) =>
        Assert.Null(Policy("""vip_prefixes = ["192.0.2.0/24", "2001:db8:1::/64"]""").Check(Vip(cidr, iface), NoneReserved));

    [Theory]
    [InlineData("198.51.100.7/24", null, "VIP 'web': 198.51.100.7 is outside [api] vip_prefixes of node 'n1' (192.0.2.0/24)")]
    [InlineData("192.0.2.100/16", null, "VIP 'web': 192.0.2.100/16 would add a route wider than the allowed prefix 192.0.2.0/24; use a prefix length of 24 or more")]
    [InlineData("192.0.2.0/24", null, "VIP 'web': 192.0.2.0 is the network address of 192.0.2.0/24; a VIP must be a host address")]
    [InlineData("192.0.2.255/24", null, "VIP 'web': 192.0.2.255 is the broadcast address of 192.0.2.0/24; a VIP must be a host address")]
    [InlineData("192.0.2.255/32", null, "VIP 'web': 192.0.2.255 is the broadcast address of 192.0.2.0/24; a VIP must be a host address")]
    [InlineData("192.0.2.100/24", "eth9", "VIP 'web': interface 'eth9' is not allowed for dynamic VIPs on node 'n1' ([api] vip_interfaces: eth0, eth1)")]
    public void Check_OutsideWhatTheOperatorAllows_Refused(string cidr, string? iface, string expected) =>
        Assert.Equal(expected, Policy("""vip_prefixes = ["192.0.2.0/24"]""").Check(Vip(cidr, iface), NoneReserved));

    [Fact]
    public void Check_SubnetRouterAnycast_Refused() =>
        Assert.Contains(
            "is the subnet-router anycast address of 2001:db8:1::/64",
            Policy("""vip_prefixes = ["2001:db8:1::/48"]""").Check(Vip("2001:db8:1::/64"), NoneReserved),
            StringComparison.Ordinal);

    [Fact]
    public void Check_InterfacesListed_OnlyThose()
    {
        var policy = Policy("""
            vip_prefixes = ["192.0.2.0/24"]
            vip_interfaces = ["eth2"]
            """);

        Assert.Null(policy.Check(Vip("192.0.2.100/24", "eth2"), NoneReserved));
        Assert.Contains("interface 'eth0' is not allowed", policy.Check(Vip("192.0.2.100/24"), NoneReserved), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ReservedAddress_RefusedSayingWhatItIs()
    {
        var reserved = new Dictionary<IPAddress, string> { [IPAddress.Parse("192.0.2.12")] = "the node address of member 'n2'" };

        var error = Policy("""vip_prefixes = ["192.0.2.0/24"]""").Check(Vip("192.0.2.12/24"), reserved);

        Assert.Equal("VIP 'web': 192.0.2.12 is the node address of member 'n2'; a dynamic VIP must be an extra address", error);
    }

    [Theory]
    [InlineData("192.0.2.0/31", null)]
    [InlineData("192.0.2.1/31", null)]
    [InlineData("192.0.2.5/32", null)]
    [InlineData("2001:db8::/127", null)]
    [InlineData("192.0.2.4/30", "the network address of 192.0.2.4/30")]
    [InlineData("192.0.2.7/30", "the broadcast address of 192.0.2.4/30")]
    [InlineData("2001:db8::ffff/112", null)]
    public void SubnetEdge_Table(string cidr, string? expected)
    {
        Assert.True(AddressParser.TryParseCidr(cidr, out var address, out var length, out _));

        Assert.Equal(expected, DynamicVipPolicy.SubnetEdge(address, length));
    }
}
