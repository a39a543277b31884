using Vipd.Core.Wire;

namespace Vipd.Core.Tests.Wire;

public sealed class UserMessageCodecTests
{
    [Fact]
    public void TryDecode_UserMessage_RoundTripsBesideOthers()
    {
        var bytes = MessageCodec.Encode(new AckMessage(3), new UserMessage(new byte[] { 1, 2, 3 }), new NackMessage(4));

        Assert.Equal(DropReason.None, MessageCodec.TryDecode(bytes, out var decoded));
        Assert.Equal(3, decoded.Count);
        var user = Assert.IsType<UserMessage>(decoded[1]);
        Assert.Equal([1, 2, 3], user.Payload.ToArray());
        Assert.Equal(6, MessageCodec.GetFrameSize(new UserMessage(new byte[] { 1, 2, 3 })));
    }

    [Fact]
    public void TryDecode_EmptyUserMessage_Malformed() =>
        Assert.Equal(DropReason.Malformed, MessageCodec.TryDecode(new byte[] { (byte)MessageType.User, 0, 0 }, out _));

    [Fact]
    public void TryDecode_OlderPeerView_UserFrameIsTypeTen()
    {
        // A build before user messages skips type 10 as unknown: the value must never change.
        Assert.Equal(10, (int)MessageType.User);
    }
}
