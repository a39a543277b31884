using Vipd.Linux.Netlink;

namespace Vipd.Linux.Tests.Netlink;

public sealed class NetlinkAckTests
{
    [Theory]
    [InlineData(Captured.AckAddV4, 0x65u, 0, null)]
    [InlineData(Captured.ErrorEexist, 0x67u, 17, "ipv4: Address already assigned")]
    [InlineData(Captured.ErrorEnodev, 0x68u, 19, "ipv4: Device not found")]
    public void TryParse_CapturedReply_ErrnoAndKernelText(string hex, uint sequence, int errno, string? text)
    {
        var reader = new NetlinkMessageReader(Captured.Bytes(hex));
        Assert.True(reader.TryRead(out var message));
        Assert.Equal(2, message.Type);
        Assert.Equal(sequence, message.Sequence);

        Assert.True(NetlinkAck.TryParse(message.Payload, message.Flags, out var ack));

        Assert.Equal(new NetlinkAck(errno, text), ack);
    }

    [Fact]
    public void TryParse_UncappedError_SkipsEchoedRequest()
    {
        // Without NETLINK_CAP_ACK the kernel echoes the whole request (here the 56-byte v4 add) before the TLVs.
        var request = Captured.RequestAddV4;
        var payload = Convert.FromHexString("EFFFFFFF" + request + "0E000100626164207468696E6700" + "0000");

        Assert.True(NetlinkAck.TryParse(payload, 0x200, out var ack));

        Assert.Equal(new NetlinkAck(17, "bad thing"), ack);
    }

    [Fact]
    public void TryParse_NoTlvsFlag_MessageNull()
    {
        var payload = Convert.FromHexString("EDFFFFFF" + "38000000140005066800000000000000");

        Assert.True(NetlinkAck.TryParse(payload, 0x100, out var ack));

        Assert.Equal(new NetlinkAck(19, null), ack);
    }

    [Fact]
    public void TryParseDone_CapturedDumpEnd_Success()
    {
        var reader = new NetlinkMessageReader(Captured.Bytes(Captured.AddressDumpDone));
        Assert.True(reader.TryRead(out var message));

        Assert.True(NetlinkAck.TryParseDone(message.Payload, message.Flags, out var ack));

        Assert.Equal(default, ack);
    }

    [Fact]
    public void TryParseDone_FailedDumpWithText_ErrnoAndText()
    {
        // status -EINVAL, then NLMSGERR_ATTR_MSG directly (no echoed header in NLMSG_DONE).
        var payload = Convert.FromHexString("EAFFFFFF" + "0E000100626164207468696E6700" + "0000");

        Assert.True(NetlinkAck.TryParseDone(payload, 0x200, out var ack));

        Assert.Equal(new NetlinkAck(22, "bad thing"), ack);
    }

    [Fact]
    public void TryParse_Truncated_False()
    {
        Assert.False(NetlinkAck.TryParse(Convert.FromHexString("EDFFFFFF3800"), 0x100, out _));
    }
}
