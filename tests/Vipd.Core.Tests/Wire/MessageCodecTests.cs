using System.Net;
using Vipd.Core.Membership;
using Vipd.Core.Wire;

namespace Vipd.Core.Tests.Wire;

public sealed class MessageCodecTests
{
    private static readonly IPEndPoint V4 = new(IPAddress.Parse("192.0.2.10"), 7450);
    private static readonly IPEndPoint V6 = new(IPAddress.Parse("2001:db8::10"), 7450);

    public static TheoryData<int> MessageIndexes => [.. Enumerable.Range(0, Messages.Length)];

    private static WireMessage[] Messages =>
    [
        new PingMessage(1),
        new PingMessage(uint.MaxValue, uint.MaxValue),
        new AliveRequestMessage("n4"),
        new IndirectPingMessage(7, "n3", V4, WantNack: true),
        new IndirectPingMessage(8, "n3", V6, WantNack: false),
        new AckMessage(42),
        new NackMessage(43),
        new AliveMessage(5, "n1", V6, new byte[] { 1, 2, 3 }),
        new AliveMessage(6, "n1", V4, new byte[WireFormat.MaxMetadataBytes]),
        new SuspectMessage(9, "n2", "n1"),
        new DeadMessage(10, "n2", "n2"),
        new PushPullMessage(true, false, [
            new PushPullEntry("n1", V4, 1, MemberState.Alive, new byte[] { 9 }),
            new PushPullEntry("n2", V6, 2, MemberState.Left, ReadOnlyMemory<byte>.Empty),
        ]) { IsContinuation = true },
        new PushPullMessage(false, true, []),
        new MetadataRequestMessage("n2", 0x0102030405060708, 2600),
        new MetadataFragmentMessage("n3", ulong.MaxValue, 40_000, 1300, new byte[] { 2, 0, 0, 9 }),
    ];

    [Theory]
    [MemberData(nameof(MessageIndexes))]
    public void TryDecode_EncodedMessage_RoundTrips(int index)
    {
        var message = Messages[index];
        var bytes = MessageCodec.Encode(message);
        Assert.Equal(MessageCodec.GetFrameSize(message), bytes.Length);
        Assert.Equal(DropReason.None, MessageCodec.TryDecode(bytes, out var decoded));
        AssertSame(message, Assert.Single(decoded));
    }

    [Fact]
    public void TryDecode_Compound_ReturnsAllInOrder()
    {
        var messages = Messages;
        var bytes = MessageCodec.Encode(messages);
        Assert.True(bytes.Length < WireFormat.MaxDatagramSize);
        Assert.Equal(DropReason.None, MessageCodec.TryDecode(bytes, out var decoded));
        Assert.Equal(messages.Length, decoded.Count);
        for (var i = 0; i < messages.Length; i++)
        {
            AssertSame(messages[i], decoded[i]);
        }
    }

    [Fact]
    public void TryDecode_Empty_Truncated() =>
        Assert.Equal(DropReason.Truncated, MessageCodec.TryDecode([], out _));

    [Fact]
    public void TryDecode_EveryPrefix_TruncatedOrMalformedNeverThrows()
    {
        var bytes = MessageCodec.Encode(new AliveMessage(5, "n1", V6, new byte[] { 1, 2, 3 }), new SuspectMessage(1, "n2", "n3"));
        for (var length = 1; length < bytes.Length; length++)
        {
            var reason = MessageCodec.TryDecode(bytes.AsSpan(0, length), out var decoded);
            Assert.True(reason is DropReason.Truncated || (reason == DropReason.None && decoded.Count == 1), $"length {length}: {reason}");
        }
    }

    [Fact]
    public void TryDecode_TrailingBytesInBody_Malformed()
    {
        var bytes = MessageCodec.Encode(new AckMessage(1)).Concat(new byte[] { 0 }).ToArray();
        bytes[2]++;
        Assert.Equal(DropReason.Malformed, MessageCodec.TryDecode(bytes, out var decoded));
        Assert.Empty(decoded);
    }

    [Fact]
    public void TryDecode_UnknownTypeOnly_UnknownMessageType() =>
        Assert.Equal(DropReason.UnknownMessageType, MessageCodec.TryDecode(new byte[] { 200, 0, 1, 0 }, out _));

    [Fact]
    public void TryDecode_UnknownTypeBesideKnown_Skipped()
    {
        var bytes = new byte[] { 200, 0, 1, 0 }.Concat(MessageCodec.Encode(new AckMessage(3))).ToArray();
        Assert.Equal(DropReason.None, MessageCodec.TryDecode(bytes, out var decoded));
        Assert.Equal(3u, Assert.IsType<AckMessage>(Assert.Single(decoded)).Sequence);
    }

    [Theory]
    [InlineData(0xFF)]
    [InlineData((byte)'\n')]
    [InlineData(0x1B)]
    [InlineData((byte)' ')]
    [InlineData(0x7F)]
    [InlineData(0xC3)]
    public void TryDecode_NameOutsidePrintableAscii_BadName(byte bad)
    {
        var bytes = MessageCodec.Encode(new SuspectMessage(1, "ab", "cd"));
        bytes[WireFormat.FrameHeaderSize + 4 + 1] = bad;
        Assert.Equal(DropReason.BadName, MessageCodec.TryDecode(bytes, out _));
    }

    [Fact]
    public void IsValidName_PrintableAsciiOnly()
    {
        Assert.True(WireFormat.IsValidName("node-1.example_A"));
        Assert.True(WireFormat.IsValidName(new string('x', WireFormat.MaxNameBytes)));
        Assert.False(WireFormat.IsValidName(new string('x', WireFormat.MaxNameBytes + 1)));
        Assert.False(WireFormat.IsValidName(""));
        Assert.False(WireFormat.IsValidName("n1\nforged log line"));
        Assert.False(WireFormat.IsValidName("n1\u001b[31m"));
        Assert.False(WireFormat.IsValidName("nødé"));
    }

    [Fact]
    public void TryDecode_EmptyName_Malformed()
    {
        var bytes = MessageCodec.Encode(new AckMessage(1));
        bytes[0] = (byte)MessageType.Suspect;
        Assert.Equal(DropReason.Malformed, MessageCodec.TryDecode(bytes, out _));
    }

    [Fact]
    public void TryDecode_MetadataOverLimit_Malformed()
    {
        var bytes = MessageCodec.Encode(new AliveMessage(6, "n1", V4, new byte[WireFormat.MaxMetadataBytes]));
        var lengthAt = WireFormat.FrameHeaderSize + 4 + 3 + 7;
        bytes[lengthAt] = 0x02;
        bytes[lengthAt + 1] = 0x01;
        Assert.Equal(DropReason.Malformed, MessageCodec.TryDecode(bytes, out _));
    }

    [Fact]
    public void TryDecode_BadStateOrFamily_Malformed()
    {
        var entry = new PushPullEntry("n1", V4, 1, MemberState.Alive, ReadOnlyMemory<byte>.Empty);
        var bytes = MessageCodec.Encode(new PushPullMessage(false, false, [entry]));
        var stateAt = WireFormat.FrameHeaderSize + 2 + 3 + 7 + 4;
        bytes[stateAt] = 9;
        Assert.Equal(DropReason.Malformed, MessageCodec.TryDecode(bytes, out _));
        bytes[stateAt] = 1;
        bytes[WireFormat.FrameHeaderSize + 2 + 3] = 5;
        Assert.Equal(DropReason.Malformed, MessageCodec.TryDecode(bytes, out _));
    }

    [Theory]
    [InlineData(100, 100, 1)] // offset at the end
    [InlineData(100, 99, 2)] // chunk past the end
    [InlineData(WireFormat.MaxLargeMetadataBytes + 1, 0, 1)] // over the largest metadata
    public void TryDecode_FragmentOutOfBounds_Malformed(int total, int offset, int chunk)
    {
        var bytes = MessageCodec.Encode(new MetadataFragmentMessage("n1", 7, total, offset, new byte[chunk]));

        Assert.Equal(DropReason.Malformed, MessageCodec.TryDecode(bytes, out _));
    }

    private static void AssertSame(WireMessage expected, WireMessage actual)
    {
        Assert.Equal(expected.GetType(), actual.GetType());
        switch (expected)
        {
            case AliveMessage a:
                var b = (AliveMessage)actual;
                Assert.Equal((a.Incarnation, a.Name, a.Address), (b.Incarnation, b.Name, b.Address));
                Assert.True(a.Metadata.Span.SequenceEqual(b.Metadata.Span));
                break;
            case PushPullMessage p:
                var q = (PushPullMessage)actual;
                Assert.Equal((p.IsReply, p.IsJoin, p.IsContinuation, p.Entries.Count), (q.IsReply, q.IsJoin, q.IsContinuation, q.Entries.Count));
                for (var i = 0; i < p.Entries.Count; i++)
                {
                    Assert.Equal((p.Entries[i].Name, p.Entries[i].Address, p.Entries[i].Incarnation, p.Entries[i].State),
                        (q.Entries[i].Name, q.Entries[i].Address, q.Entries[i].Incarnation, q.Entries[i].State));
                    Assert.True(p.Entries[i].Metadata.Span.SequenceEqual(q.Entries[i].Metadata.Span));
                }

                break;
            case MetadataFragmentMessage f:
                var g = (MetadataFragmentMessage)actual;
                Assert.Equal((f.Owner, f.Hash, f.Total, f.Offset), (g.Owner, g.Hash, g.Total, g.Offset));
                Assert.True(f.Chunk.Span.SequenceEqual(g.Chunk.Span));
                break;
            default:
                Assert.Equal(expected, actual);
                break;
        }
    }
}
