using Vipd.Core.Intents;

namespace Vipd.Core.Tests.Intents;

public sealed class IntentValidationTests
{
    private static IReadOnlyList<string> Errors(string? name = "web", string? address = "192.0.2.10/24", string? iface = null,
        string[]? allowed = null, TimeSpan? delay = null, uint priority = 0, Dictionary<string, uint>? priorities = null)
    {
        Assert.False(IntentValidation.TryCreateVip(name, address, iface, allowed, null, delay, priority, priorities, out var vip, out var errors));
        Assert.Null(vip);
        return errors;
    }

    [Fact]
    public void TryCreateVip_Defaults_AsTheConfig()
    {
        Assert.True(IntentValidation.TryCreateVip("web", "2001:db8::10/64", "", [], null, null, 0, null, out var vip, out var errors), string.Join("; ", errors));

        Assert.Equal((100, true, TimeSpan.Zero, (string?)null, true), (vip!.Priority, vip.Preempt, vip.PreemptDelay, vip.Interface, vip.IsIPv6));
        Assert.Equal("2001:db8::10/64", vip.Cidr);
        Assert.Null(vip.ToVipSpec().AllowedNodes);
        Assert.Equal("n2", vip.ToVipSpec("n2").PreferredNode);
    }

    [Theory]
    [InlineData(null, "a VIP name is required")]
    [InlineData("-web", "invalid VIP name '-web'")]
    [InlineData("we b", "invalid VIP name 'we b'")]
    [InlineData("vip-2001:db8::1", "invalid VIP name 'vip-2001:db8::1'")]
    public void TryCreateVip_BadName_Error(string? name, string expected) =>
        Assert.Contains(Errors(name: name), e => e.Contains(expected, StringComparison.Ordinal));

    [Theory]
    [InlineData(null, "an address is required")]
    [InlineData("192.0.2.10", "needs a prefix length")]
    [InlineData("192.0.2.300/24", "invalid address")]
    [InlineData("192.0.2.10/33", "invalid prefix length")]
    [InlineData("127.0.0.1/8", "cannot be a VIP")]
    [InlineData("224.0.0.1/4", "cannot be a VIP")]
    [InlineData("010.0.0.1/8", "invalid address")]
    public void TryCreateVip_BadAddress_Error(string? address, string expected) =>
        Assert.Contains(Errors(address: address), e => e.Contains(expected, StringComparison.Ordinal));

    [Fact]
    public void TryCreateVip_EveryProblem_AllCollected()
    {
        var errors = Errors(iface: "eth0/1", allowed: ["n1", "n1", "-x"], delay: TimeSpan.FromDays(2), priority: 256,
            priorities: new() { ["n2"] = 0, ["n3"] = 10 });

        Assert.Equal(6, errors.Count);
        Assert.All(errors, e => Assert.StartsWith("VIP 'web': ", e, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("k8s", null)]
    [InlineData("config", "reserved")]
    [InlineData("", "required")]
    [InlineData("a/b", "invalid source name")]
    public void SourceError_Cases(string source, string? expected)
    {
        var error = IntentValidation.SourceError(source);
        if (expected is null)
        {
            Assert.Null(error);
        }
        else
        {
            Assert.Contains(expected, error, StringComparison.Ordinal);
        }
    }
}
