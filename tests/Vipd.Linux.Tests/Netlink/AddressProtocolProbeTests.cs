using Vipd.Linux.Netlink;

namespace Vipd.Linux.Tests.Netlink;

public sealed class AddressProtocolProbeTests
{
    [Fact]
    public void WriteProbe_Ipv4DumpCarryingIfaProto()
    {
        Span<byte> buffer = stackalloc byte[64];
        var writer = new NetlinkMessageWriter(buffer);

        AddressProtocolProbe.WriteProbe(ref writer, 7);

        // nlmsghdr (len 32, RTM_GETADDR 22, REQUEST|DUMP 0x301, seq 7, pid 0), ifaddrmsg AF_INET, IFA_PROTO (11) = 0x76.
        Assert.Equal("20000000160001030700000000000000" + "0200000000000000" + "05000B0076000000", Convert.ToHexString(writer.Written));
    }

    [Theory]
    [InlineData(22, "ipv4: Unsupported attribute in dump request", "Supported")]
    [InlineData(22, "Unknown attribute type", "Unsupported")]
    [InlineData(22, null, "Unknown")]
    [InlineData(0, null, "Unknown")]
    [InlineData(34, "Attribute failed policy validation", "Unknown")]
    public void Classify_KernelAnswer(int errno, string? text, string expected) =>
        Assert.Equal(expected, AddressProtocolProbe.Classify(new NetlinkAck(errno, text)).ToString());
}
