using System.Net;
using Vipd.Core.Reconcile;
using Vipd.Linux.Netlink;

namespace Vipd.Linux.Tests.Netlink;

public sealed class NetlinkAddressManagerTests
{
    [Theory]
    [InlineData(AddressChangeKind.Add, 0, AddressOutcome.Applied)]
    [InlineData(AddressChangeKind.Add, 17, AddressOutcome.AlreadyDone)]
    [InlineData(AddressChangeKind.Add, 99, AddressOutcome.Failed)]
    [InlineData(AddressChangeKind.Add, 19, AddressOutcome.Failed)]
    [InlineData(AddressChangeKind.Remove, 0, AddressOutcome.Applied)]
    [InlineData(AddressChangeKind.Remove, 99, AddressOutcome.AlreadyDone)]
    [InlineData(AddressChangeKind.Remove, 17, AddressOutcome.Failed)]
    [InlineData(AddressChangeKind.Remove, 1, AddressOutcome.Failed)]
    public void OutcomeOf_Errno_ExpectedOnesAreAlreadyDone(AddressChangeKind kind, int errno, AddressOutcome expected)
    {
        Assert.Equal(expected, NetlinkAddressManager.OutcomeOf(kind, errno));
    }

    [Fact]
    public void ErrorText_KernelText_ErrnoNameFirst()
    {
        Assert.Equal("EEXIST: ipv4: Address already assigned", NetlinkAddressManager.ErrorText(new NetlinkAck(17, "ipv4: Address already assigned")));
        Assert.StartsWith("EPERM: ", NetlinkAddressManager.ErrorText(new NetlinkAck(1, null)), StringComparison.Ordinal);
        Assert.Null(NetlinkAddressManager.ErrorText(default));
    }

    [Theory]
    [InlineData("192.0.2.200", 24, true)]
    [InlineData("192.0.2.200", 33, false)]
    [InlineData("2001:db8::200", 128, true)]
    [InlineData("2001:db8::200", 129, false)]
    [InlineData("2001:db8::200", -1, false)]
    public void Validate_PrefixLength_RangeByFamily(string address, int prefix, bool valid)
    {
        var error = NetlinkAddressManager.Validate(new AddressChange(AddressChangeKind.Add, 1, IPAddress.Parse(address), prefix));

        Assert.Equal(valid, error is null);
    }

    [Fact]
    public void Describe_Add_OperationText()
    {
        Assert.Equal("add address 192.0.2.200/24", NetlinkAddressManager.Describe(new AddressChange(AddressChangeKind.Add, 1, IPAddress.Parse("192.0.2.200"), 24)));
        Assert.Equal("remove address 2001:db8::200/64", NetlinkAddressManager.Describe(new AddressChange(AddressChangeKind.Remove, 1, IPAddress.Parse("2001:db8::200"), 64)));
    }
}
