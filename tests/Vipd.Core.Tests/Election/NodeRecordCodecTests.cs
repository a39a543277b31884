using Vipd.Core.Election;

namespace Vipd.Core.Tests.Election;

public class NodeRecordCodecTests
{
    private static NodeRecord Sample() => new(
        42,
        Maintenance: true,
        Draining: false,
        [new NodeVipEntry(7, true, 200, false), new NodeVipEntry(3, false, 0, true), new NodeVipEntry(ulong.MaxValue, true, 255, true)]);

    [Fact]
    public void Encode_ThenTryDecode_RoundTrips()
    {
        var bytes = NodeRecordCodec.Encode(Sample());

        Assert.True(NodeRecordCodec.TryDecode(bytes, out var record, out var error));
        Assert.Equal(NodeRecordError.None, error);
        Assert.Equal(42u, record.Version);
        Assert.True(record.Maintenance);
        Assert.False(record.Draining);
        Assert.False(record.Legacy);
        Assert.Equal([3ul, 7ul, ulong.MaxValue], record.Vips.Select(v => v.Key));
        Assert.Equal(new NodeVipEntry(3, false, 0, true), record.Vips[0]);
        Assert.Equal(new NodeVipEntry(7, true, 200, false), record.Vips[1]);
        Assert.Equal(new NodeVipEntry(ulong.MaxValue, true, 255, true), record.Vips[2]);
    }

    [Fact]
    public void Encode_Sample_HasDocumentedLayout()
    {
        var bytes = NodeRecordCodec.Encode(new NodeRecord(0x01020304, false, true, [new NodeVipEntry(0xA0B0C0D0E0F00102, true, 9, true)]) { VipSetDigest = 0x1122334455667788 });

        Assert.Equal(new byte[] { 2, 1, 2, 3, 4, 2, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0, 0, 0, 1, 0xA0, 0xB0, 0xC0, 0xD0, 0xE0, 0xF0, 0x01, 0x02, 9, 3 }, bytes);
        Assert.True(NodeRecordCodec.TryDecode(bytes, out var record));
        Assert.Equal(0x1122334455667788ul, record.VipSetDigest);
    }

    [Fact]
    public void Encode_TenThousandVips_RoundTripsWhole()
    {
        var record = new NodeRecord(1, false, false, [.. Enumerable.Range(0, 10_000).Select(i => new NodeVipEntry(VipKey.Of($"vip-{i}"), true, 100, i % 3 == 0))]);

        var bytes = NodeRecordCodec.Encode(record);

        Assert.Equal(NodeRecordCodec.GetSize(10_000), bytes.Length);
        Assert.True(bytes.Length <= NodeRecordCodec.MaxSize);
        Assert.True(NodeRecordCodec.TryDecode(bytes, out var decoded));
        Assert.Equal(10_000, decoded.Vips.Count);
        Assert.Equal(3_334, decoded.Vips.Count(v => v.Holding));
        Assert.True(decoded.TryGet(VipKey.Of("vip-9999"), out var last) && last.Holding);
    }

    [Fact]
    public void Encode_TooManyVips_Throws()
    {
        var record = new NodeRecord(1, false, false, [.. Enumerable.Range(0, NodeRecordCodec.MaxVips + 1).Select(i => new NodeVipEntry((ulong)i, true, 100, false))]);

        Assert.Throws<ArgumentException>(() => NodeRecordCodec.Encode(record));
    }

    [Fact]
    public void Encode_DuplicateKey_Throws() =>
        Assert.Throws<ArgumentException>(() => NodeRecordCodec.Encode(new NodeRecord(1, false, false, [new(5, true, 1, false), new(5, false, 2, true)])));

    [Fact]
    public void TryDecode_LegacyFormat1_DecodesAsLegacyWith32BitIds()
    {
        // vipd 0.1's layout: [1][u32 version][flags][u16 n] n × [u32 id][u8 priority][u8 flags].
        byte[] legacy = [1, 0, 0, 0, 9, 2, 0, 2, 0, 0, 0, 5, 100, 1, 0xA0, 0xB0, 0xC0, 0xD0, 200, 3];

        Assert.True(NodeRecordCodec.TryDecode(legacy, out var record, out var error));

        Assert.Equal(NodeRecordError.None, error);
        Assert.True(record.Legacy);
        Assert.True(record.Draining);
        Assert.Equal(9u, record.Version);
        Assert.Equal([new NodeVipEntry(5, true, 100, false), new NodeVipEntry(0xA0B0C0D0, true, 200, true)], record.Vips);
    }

    [Theory]
    [InlineData(new byte[0], NodeRecordError.Empty)]
    [InlineData(new byte[] { 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, NodeRecordError.UnknownVersion)]
    [InlineData(new byte[] { 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, NodeRecordError.UnknownVersion)]
    [InlineData(new byte[] { 2, 0, 0, 0 }, NodeRecordError.Truncated)]
    [InlineData(new byte[] { 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 5, 9 }, NodeRecordError.Truncated)]
    [InlineData(new byte[] { 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7 }, NodeRecordError.TrailingBytes)]
    [InlineData(new byte[] { 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0 }, NodeRecordError.TooLarge)]
    [InlineData(new byte[] { 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 5, 1, 1, 0, 0, 0, 0, 0, 0, 0, 5, 1, 1 }, NodeRecordError.Unsorted)]
    [InlineData(new byte[] { 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 6, 1, 1, 0, 0, 0, 0, 0, 0, 0, 5, 1, 1 }, NodeRecordError.Unsorted)]
    [InlineData(new byte[] { 1, 0, 0, 0, 1, 0, 0, 85 }, NodeRecordError.TooLarge)]
    [InlineData(new byte[] { 1, 0, 0, 0, 1, 0, 0, 0, 7 }, NodeRecordError.TrailingBytes)]
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
        bytes[NodeRecordCodec.HeaderSize + 9] |= 0xFC;

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
                var entries = (data.Length - NodeRecordCodec.HeaderSize) / NodeRecordCodec.EntrySize;
                data[14] = 0;
                data[15] = 0;
                data[16] = (byte)(entries >> 8);
                data[17] = (byte)entries;
            }

            if (NodeRecordCodec.TryDecode(data, out var record, out var error))
            {
                decoded++;
                if (!record.Legacy)
                {
                    Assert.Equal(data.Length, NodeRecordCodec.Encode(record).Length); // canonical size
                }
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
            var count = random.Next(0, 300);
            var keys = new HashSet<ulong>();
            while (keys.Count < count)
            {
                keys.Add((ulong)random.NextInt64());
            }

            var record = new NodeRecord((uint)random.Next(), random.Next(2) == 0, random.Next(2) == 0,
                [.. keys.Select(key => new NodeVipEntry(key, random.Next(2) == 0, (byte)random.Next(256), random.Next(2) == 0))]);
            var bytes = NodeRecordCodec.Encode(record);
            Assert.True(NodeRecordCodec.TryDecode(bytes, out var clean));
            Assert.Equal(record.Vips.OrderBy(v => v.Key), clean.Vips);

            var mutated = random.Next(3) switch
            {
                0 => bytes[..random.Next(0, bytes.Length)],
                1 => [.. bytes, (byte)random.Next(256)],
                _ => Flip(bytes, random),
            };
            if (NodeRecordCodec.TryDecode(mutated, out var decoded) && !decoded.Legacy)
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
