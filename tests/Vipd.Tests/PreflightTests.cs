using Vipd.Hosting;

namespace Vipd.Tests;

public sealed class PreflightTests
{
    [Theory]
    [InlineData("000001ffffffffff", new string[0])]
    [InlineData("0000000000003000", new string[0])] // exactly CAP_NET_ADMIN (12) and CAP_NET_RAW (13)
    [InlineData("0000000000001000", new[] { "CAP_NET_RAW" })]
    [InlineData("0000000000002000", new[] { "CAP_NET_ADMIN" })]
    [InlineData("0000000000000000", new[] { "CAP_NET_ADMIN", "CAP_NET_RAW" })]
    public void MissingCapabilities_EffectiveSet_ListsWhatLacks(string capEff, string[] expected)
    {
        var status = $"Name:\tvipd\nCapInh:\t0000000000000000\nCapPrm:\t{capEff}\nCapEff:\t{capEff}\nCapBnd:\t000001ffffffffff\n";
        Assert.Equal(expected, Preflight.MissingCapabilities(status));
    }

    [Fact]
    public void MissingCapabilities_NoCapEffLine_AssumesNone()
    {
        Assert.Equal(["CAP_NET_ADMIN", "CAP_NET_RAW"], Preflight.MissingCapabilities("Name:\tvipd\n"));
    }
}
