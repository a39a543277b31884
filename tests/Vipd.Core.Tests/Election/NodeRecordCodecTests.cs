using Vipd.Core.Election;

namespace Vipd.Core.Tests.Election;

public class NodeRecordCodecTests
{
    private static NodeRecord Sample() => new(
        42,
        Maintenance: true,
        Draining: false,
        [new NodeVipEntry(7, true, 200, false), new NodeVipEntry(3, false, 0, true), new NodeVipEntry(uint.MaxValue, true, 255, true)]);

    [Fact]
    public void Encode_ThenTryDecode_RoundTrips()
    {
        var bytes = NodeRecordCodec.Encode(Sample());

        Assert.True(NodeRecordCodec.TryDecode(bytes, out var record, out var error));
        Assert.Equal(NodeRecordError.None, error);
        Assert.Equal(42u, record.Version);
        Assert.True(record.Maintenance);
        Assert.False(record.Draining);
        Assert.Equal([3u, 7u, uint.MaxValue], record.Vips.Select(v => v.VipId));
        Assert.Equal(new NodeVipEntry(3, false, 0, true), record.Vips[0]);
        Assert.Equal(new NodeVipEntry(7, true, 200, false), record.Vips[1]);
        Assert.Equal(new NodeVipEntry(uint.MaxValue, true, 255, true), record.Vips[2]);
    }

    [Fact]
    public void Encode_Sample_HasDocumentedLayout()
    {
        var bytes = NodeRecordCodec.Encode(new NodeRecord(0x01020304, false, true, [new NodeVipEntry(0xA0B0C0D0, true, 9, true)]));

        Assert.Equal(new byte[] { 1, 1, 2, 3, 4, 2, 0, 1, 0xA0, 0xB0, 0xC0, 0xD0, 9, 3 }, bytes);
    }

    [Fact]
    public void Encode_MaxVips_FitsIn512Bytes()
    {
        Assert.Equal(84, NodeRecordCodec.MaxVips);
        var record = new NodeRecord(1, false, false, [.. Enumerable.Range(0, NodeRecordCodec.MaxVips).Select(i => new NodeVipEntry((uint)i, true, 100, true))]);

        var bytes = NodeRecordCodec.Encode(record);

        Assert.True(bytes.Length <= NodeRecordCodec.MaxSize);
        Assert.True(NodeRecordCodec.TryDecode(bytes, out var decoded));
        Assert.Equal(84, decoded.Vips.Count);
    }

    [Fact]
    public void Encode_TooManyVips_Throws()
    {
        var record = new NodeRecord(1, false, false, [.. Enumerable.Range(0, NodeRecordCodec.MaxVips + 1).Select(i => new NodeVipEntry((uint)i, true, 100, false))]);

        Assert.Throws<ArgumentException>(() => NodeRecordCodec.Encode(record));
    }

    [Fact]
    public void Encode_DuplicateVipId_Throws() =>
        Assert.Throws<ArgumentException>(() => NodeRecordCodec.Encode(new NodeRecord(1, false, false, [new(5, true, 1, false), new(5, false, 2, true)])));

    [Theory]
    [InlineData(new byte[0], NodeRecordError.Empty)]
    [InlineData(new byte[] { 2, 0, 0, 0, 0, 0, 0, 0 }, NodeRecordError.UnknownVersion)]
    [InlineData(new byte[] { 1, 0, 0, 0 }, NodeRecordError.Truncated)]
    [InlineData(new byte[] { 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 5, 9 }, NodeRecordError.Truncated)]
    [InlineData(new byte[] { 1, 0, 0, 0, 1, 0, 0, 0, 7 }, NodeRecordError.TrailingBytes)]
    [InlineData(new byte[] { 1, 0, 0, 0, 1, 0, 0, 85 }, NodeRecordError.TooLarge)]
    [InlineData(new byte[] { 1, 0, 0, 0, 1, 0, 0, 2, 0, 0, 0, 5, 1, 1, 0, 0, 0, 5, 1, 1 }, NodeRecordError.Unsorted)]
    [InlineData(new byte[] { 1, 0, 0, 0, 1, 0, 0, 2, 0, 0, 0, 6, 1, 1, 0, 0, 0, 5, 1, 1 }, NodeRecordError.Unsorted)]
    public void TryDecode_Malformed_ReturnsReason(byte[] data, NodeRecordError expected)
    {
        Assert.False(NodeRecordCodec.TryDecode(data, out var record, out var error));
        Assert.Null(record);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void TryDecode_Oversized_ReturnsTooLarge()
    {
        var data = new byte[NodeRecordCodec.MaxSize + 1];
        data[0] = NodeRecordCodec.FormatVersion;

        Assert.False(NodeRecordCodec.TryDecode(data, out _, out var error));
        Assert.Equal(NodeRecordError.TooLarge, error);
    }

    [Fact]
    public void TryDecode_ReservedFlagBits_AreIgnored()
    {
        var bytes = NodeRecordCodec.Encode(new NodeRecord(1, false, false, [new(5, true, 1, false)]));
        bytes[5] |= 0xFC;
        bytes[13] |= 0xFC;

        Assert.True(NodeRecordCodec.TryDecode(bytes, out var record));
        Assert.False(record.Maintenance);
        Assert.Equal(new NodeVipEntry(5, true, 1, false), record.Vips[0]);
    }

    [Fact]
    public void TryDecode_RandomGarbage_NeverThrows()
    {
        var random = new Random(1234);
        var decoded = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var data = new byte[random.Next(0, 600)];
            random.NextBytes(data);
            if (i % 2 == 0 && data.Length >= NodeRecordCodec.HeaderSize)
            {
                // Make half of them plausible: right version, an entry count that matches the length.
                data[0] = NodeRecordCodec.FormatVersion;
                var entries = Math.Min((data.Length - NodeRecordCodec.HeaderSize) / NodeRecordCodec.EntrySize, 65535);
                data[6] = (byte)(entries >> 8);
                data[7] = (byte)entries;
            }

            if (NodeRecordCodec.TryDecode(data, out var record, out var error))
            {
                decoded++;
                Assert.Equal(data.Length, NodeRecordCodec.Encode(record).Length); // canonical size: what decodes re-encodes to as many bytes
            }
            else
            {
                Assert.NotEqual(NodeRecordError.None, error);
            }
        }

        Assert.True(decoded < 20_000);
    }

    [Fact]
    public void TryDecode_MutatedValidRecords_NeverThrowAndRoundTripWhenAccepted()
    {
        var random = new Random(99);
        for (var i = 0; i < 5_000; i++)
        {
            var count = random.Next(0, NodeRecordCodec.MaxVips + 1);
            var ids = new HashSet<uint>();
            while (ids.Count < count)
            {
                ids.Add((uint)random.NextInt64(0, uint.MaxValue + 1L));
            }

            var record = new NodeRecord((uint)random.Next(), random.Next(2) == 0, random.Next(2) == 0,
                [.. ids.Select(id => new NodeVipEntry(id, random.Next(2) == 0, (byte)random.Next(256), random.Next(2) == 0))]);
            var bytes = NodeRecordCodec.Encode(record);
            Assert.True(NodeRecordCodec.TryDecode(bytes, out var clean));
            Assert.Equal(record.Vips.OrderBy(v => v.VipId), clean.Vips);

            var mutated = random.Next(3) switch
            {
                0 => bytes[..random.Next(0, bytes.Length)],
                1 => [.. bytes, (byte)random.Next(256)],
                _ => Flip(bytes, random),
            };
            if (NodeRecordCodec.TryDecode(mutated, out var decoded))
            {
                Assert.True(NodeRecordCodec.Encode(decoded).Length == mutated.Length);
            }
        }
    }

    private static byte[] Flip(byte[] bytes, Random random)
    {
        var copy = (byte[])bytes.Clone();
        copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        return copy;
    }
}
