using Vipd.Linux.Interfaces;

namespace Vipd.Linux.Tests.Netlink;

/// <summary>The pure parts of Interfaces/ (kept here: this engineer owns the Netlink and Native test folders).</summary>
public sealed class InterfaceHelpersTests
{
    private const string Status = "Name:\tvipd\nCapInh:\t0000000000000000\nCapPrm:\t0000000000003000\nCapEff:\t0000000000002000\nCapBnd:\t000001ffffffffff\n";

    [Fact]
    public void Has_NetRawOnly_NetRawTrueNetAdminFalse()
    {
        Assert.True(Capabilities.Has(Status, Capabilities.NetRaw));
        Assert.False(Capabilities.Has(Status, Capabilities.NetAdmin));
    }

    [Fact]
    public void Effective_FullRootMask_Parsed()
    {
        Assert.Equal(0x000001ffffffffffUL, Capabilities.Effective("CapEff:\t000001ffffffffff\n"));
        Assert.Equal(0UL, Capabilities.Effective("CapPrm:\t0000000000003000\n"));
        Assert.Equal(0UL, Capabilities.Effective("CapEff:\tzz\n"));
    }

    [Fact]
    public void Has_ThisProcess_MatchesStatusFile()
    {
        var expected = Capabilities.Has(File.ReadAllText("/proc/self/status"), Capabilities.NetAdmin);

        Assert.Equal(expected, Capabilities.Has(Capabilities.NetAdmin));
    }

    [Theory]
    [InlineData("1\n", true)]
    [InlineData("0\n", false)]
    [InlineData("2", true)]
    [InlineData("", null)]
    public void Parse_SysctlText_Bool(string text, bool? expected)
    {
        Assert.Equal(expected, InterfaceSysctl.Parse(text));
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("averyveryverylongname")]
    public void IPv6_NotAnInterfaceName_Throws(string name)
    {
        Assert.Throws<ArgumentException>(() => InterfaceSysctl.IPv6Forwarding(name));
    }
}
