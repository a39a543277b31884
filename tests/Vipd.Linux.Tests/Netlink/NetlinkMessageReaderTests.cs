using Vipd.Linux.Netlink;

namespace Vipd.Linux.Tests.Netlink;

public sealed class NetlinkMessageReaderTests
{
    [Fact]
    public void TryRead_CapturedAddressDump_FourMultipartNewAddrMessages()
    {
        var reader = new NetlinkMessageReader(Captured.Bytes(Captured.AddressDump));
        var seen = new List<(ushort Type, ushort Flags, uint Sequence, int Length)>();

        while (reader.TryRead(out var message))
        {
            seen.Add((message.Type, message.Flags, message.Sequence, message.Payload.Length));
        }

        Assert.False(reader.IsMalformed);
        Assert.Equal([(20, 2, 0x69u, 60), (20, 2, 0x69u, 64), (20, 2, 0x69u, 80), (20, 2, 0x69u, 64)], seen);
    }

    [Fact]
    public void TryRead_CapturedDone_OneDoneMessage()
    {
        var reader = new NetlinkMessageReader(Captured.Bytes(Captured.AddressDumpDone));

        Assert.True(reader.TryRead(out var message));
        Assert.Equal(3, message.Type);
        Assert.Equal(0x69u, message.Sequence);
        Assert.False(reader.TryRead(out _));
        Assert.False(reader.IsMalformed);
    }

    [Fact]
    public void TryRead_LengthBeyondDatagram_StopsMalformed()
    {
        var bytes = Captured.Bytes(Captured.AddressDump)[..100]; // first message (76 bytes) whole, second cut

        var reader = new NetlinkMessageReader(bytes);

        Assert.True(reader.TryRead(out _));
        Assert.False(reader.TryRead(out _));
        Assert.True(reader.IsMalformed);
    }

    [Fact]
    public void TryRead_LengthBelowHeader_StopsMalformed()
    {
        var bytes = Captured.Bytes(Captured.AddressDumpDone);
        bytes[0] = 8;

        var reader = new NetlinkMessageReader(bytes);

        Assert.False(reader.TryRead(out _));
        Assert.True(reader.IsMalformed);
    }

    [Fact]
    public void TryRead_Empty_NotMalformed()
    {
        var reader = new NetlinkMessageReader([]);

        Assert.False(reader.TryRead(out _));
        Assert.False(reader.IsMalformed);
    }

    [Fact]
    public void RtAttributeReader_ZeroLengthAttribute_StopsMalformed()
    {
        var reader = new RtAttributeReader(Convert.FromHexString("0800010001020304" + "00000200"));

        Assert.True(reader.TryRead(out var type, out var value));
        Assert.Equal(1, type);
        Assert.Equal([1, 2, 3, 4], value.ToArray());
        Assert.False(reader.TryRead(out _, out _));
        Assert.True(reader.IsMalformed);
    }

    [Fact]
    public void RtAttributeReader_NestedFlag_Masked()
    {
        var reader = new RtAttributeReader(Convert.FromHexString("04000580"));

        Assert.True(reader.TryRead(out var type, out var value));
        Assert.Equal(5, type);
        Assert.True(value.IsEmpty);
    }
}
