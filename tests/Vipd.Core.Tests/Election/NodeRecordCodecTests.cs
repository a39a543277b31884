using Vipd.Core.Election;

namespace Vipd.Core.Tests.Election;

public class NodeRecordCodecTests
{
    private static readonly NodeVerdict[] Verdicts =
    [
        new(NodeVerdictKind.Link, 0x0A0B0C0D, 2, 0),
        new(NodeVerdictKind.Check, 0x01020304, NodeVerdict.CheckPassingWithValue, -7),
        new(NodeVerdictKind.Check, 0x00000001, NodeVerdict.CheckFailing, 0),
    ];

    private static NodeRecord Sample() => new(
        42,
        Maintenance: true,
        Draining: false,
        [new NodeVipEntry(7, true, 200, false), new NodeVipEntry(3, false, 0, true, 17), new NodeVipEntry(ulong.MaxValue, true, 255, true, uint.MaxValue)])
    {
        VipSetDigest = 11,
        StandingDigest = 12,
        Verdicts = Verdicts,
    };

    [Fact]
    public void Encode_ThenTryDecode_ExplicitRoundTrips()
    {
        var bytes = NodeRecordCodec.Encode(Sample());

        Assert.True(NodeRecordCodec.TryDecode(bytes, out var record, out var error));
        Assert.Equal(NodeRecordError.None, error);
        Assert.Equal(42u, record.Version);
        Assert.True(record.Maintenance);
        Assert.False(record.Draining);
        Assert.False(record.Legacy);
        Assert.False(record.Lean);
        Assert.Equal(11ul, record.VipSetDigest);
        Assert.Equal(12ul, record.StandingDigest);
        Assert.Equal(Verdicts.OrderBy(v => v.Kind).ThenBy(v => v.Key), record.Verdicts);
        Assert.Equal([3ul, 7ul, ulong.MaxValue], record.Vips.Select(v => v.Key));
        Assert.Equal(new NodeVipEntry(3, false, 0, true, 17), record.Vips[0]);
        Assert.Equal(new NodeVipEntry(7, true, 200, false), record.Vips[1]);
        Assert.Equal(new NodeVipEntry(ulong.MaxValue, true, 255, true, uint.MaxValue), record.Vips[2]);
    }

    [Fact]
    public void Encode_ThenTryDecode_LeanCarriesClaimsOnly()
    {
        var bytes = NodeRecordCodec.Encode(Sample() with { Lean = true });

        Assert.True(NodeRecordCodec.TryDecode(bytes, out var record));
        Assert.True(record.Lean);
        Assert.Equal([new NodeVipEntry(3, false, 0, true, 17), new NodeVipEntry(ulong.MaxValue, false, 0, true, uint.MaxValue)], record.Vips);
        Assert.Equal(3, record.Verdicts.Count);
        Assert.Equal(NodeRecordCodec.GetLeanSize(3, 2), bytes.Length);
    }

    [Fact]
    public void Encode_Lean_HasDocumentedLayout()
    {
        var record = new NodeRecord(0x01020304, false, true, [new NodeVipEntry(0xA0B0C0D0E0F00102, false, 0, true, 0x0A0B0C0D)])
        {
            VipSetDigest = 0x1122334455667788,
            StandingDigest = 0x99AABBCCDDEEFF00,
            Verdicts = [new NodeVerdict(NodeVerdictKind.Check, 0xCAFEBABE, NodeVerdict.CheckPassingWithValue, 0x10)],
            Lean = true,
        };

        var bytes = NodeRecordCodec.Encode(record);

        Assert.Equal(
            new byte[]
            {
                4, 1, 2, 3, 4, 2, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF, 0x00, 0, 1,
                1, 0xCA, 0xFE, 0xBA, 0xBE, 3, 0, 0, 0, 0x10,
                0, 0, 0, 1, 0xA0, 0xB0, 0xC0, 0xD0, 0xE0, 0xF0, 0x01, 0x02, 0x0A, 0x0B, 0x0C, 0x0D,
            },
            bytes);
    }

    [Fact]
    public void Encode_Explicit_HasDocumentedLayout()
    {
        var bytes = NodeRecordCodec.Encode(new NodeRecord(1, false, false, [new NodeVipEntry(0xA0B0C0D0E0F00102, true, 9, true, 5)]));

        Assert.Equal(
            new byte[]
            {
                4, 0, 0, 0, 1, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 1, 0xA0, 0xB0, 0xC0, 0xD0, 0xE0, 0xF0, 0x01, 0x02, 0, 0, 0, 5,
                0, 0, 0, 1, 0xA0, 0xB0, 0xC0, 0xD0, 0xE0, 0xF0, 0x01, 0x02, 9, 1,
            },
            bytes);
    }

    [Fact]
    public void Encode_LeanRecord_SizeDependsOnClaimsNotOnVipCount()
    {
        // 10,000 VIPs on 100 nodes: each node claims about 100; what it is eligible for is derived, not listed.
        var claims = Enumerable.Range(0, 100).Select(i => new NodeVipEntry(VipKey.Of($"vip-{i * 100}"), false, 0, true)).ToList();
        var record = new NodeRecord(1, false, false, claims) { Verdicts = Verdicts, StandingDigest = 5, Lean = true };

        var bytes = NodeRecordCodec.Encode(record);

        Assert.Equal(NodeRecordCodec.HeaderSize + (3 * NodeRecordCodec.VerdictSize) + 4 + (100 * 12), bytes.Length);
        Assert.True(NodeRecordCodec.TryDecode(bytes, out var decoded));
        Assert.Equal(100, decoded.Vips.Count(v => v.Holding));
    }

    [Fact]
    public void Encode_TenThousandVipsExplicit_RoundTripsWhole()
    {
        var record = new NodeRecord(1, false, false, [.. Enumerable.Range(0, 10_000).Select(i => new NodeVipEntry(VipKey.Of($"vip-{i}"), true, 100, i % 3 == 0))]);

        var bytes = NodeRecordCodec.Encode(record);

        Assert.Equal(NodeRecordCodec.GetLeanSize(0, 3_334) + 4 + (10_000 * NodeRecordCodec.EntrySize), bytes.Length);
        Assert.True(bytes.Length <= NodeRecordCodec.MaxSize);
        Assert.True(NodeRecordCodec.TryDecode(bytes, out var decoded));
        Assert.Equal(10_000, decoded.Vips.Count);
        Assert.Equal(3_334, decoded.Vips.Count(v => v.Holding));
        Assert.True(decoded.TryGet(VipKey.Of("vip-9999"), out var last) && last.Holding);
    }

    [Fact]
    public void Encode_TooLarge_ThrowsRatherThanDroppingClaims()
    {
        var record = new NodeRecord(1, false, false, [.. Enumerable.Range(0, NodeRecordCodec.MaxVips + 1).Select(i => new NodeVipEntry((ulong)i, true, 100, true))]);

        Assert.Throws<ArgumentException>(() => NodeRecordCodec.Encode(record));
        Assert.True(NodeRecordCodec.Encode(record with { Vips = record.Vips.Take(NodeRecordCodec.MaxVips).ToList() }).Length <= NodeRecordCodec.MaxSize);
    }

    [Fact]
    public void Encode_DuplicateKey_Throws() =>
        Assert.Throws<ArgumentException>(() => NodeRecordCodec.Encode(new NodeRecord(1, false, false, [new(5, true, 1, false), new(5, false, 2, true)])));

    [Fact]
    public void Encode_DuplicateVerdict_Throws() =>
        Assert.Throws<ArgumentException>(() => NodeRecordCodec.Encode(NodeRecord.Empty with { Verdicts = [new(NodeVerdictKind.Check, 1, 2, 0), new(NodeVerdictKind.Check, 1, 1, 0)] }));

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

    [Fact]
    public void TryDecode_Format2_IsUnknown()
    {
        // Format 2 was never released: a record in it is not decoded.
        byte[] format2 = [2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

        Assert.False(NodeRecordCodec.TryDecode(format2, out _, out var error));
        Assert.Equal(NodeRecordError.UnknownVersion, error);
    }

    [Theory]
    [InlineData(new byte[0], NodeRecordError.Empty)]
    [InlineData(new byte[] { 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, NodeRecordError.UnknownVersion)]
    [InlineData(new byte[] { 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, NodeRecordError.UnknownVersion)]
    [InlineData(new byte[] { 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, NodeRecordError.UnknownVersion)]
    [InlineData(new byte[] { 4, 0, 0, 0 }, NodeRecordError.Truncated)]
    [InlineData(new byte[] { 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, NodeRecordError.Truncated)]
    [InlineData(new byte[] { 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0 }, NodeRecordError.Truncated)]
    [InlineData(new byte[] { 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0 }, NodeRecordError.Truncated)]
    [InlineData(new byte[] { 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7 }, NodeRecordError.TrailingBytes)]
    [InlineData(new byte[] { 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0 }, NodeRecordError.TooLarge)]
    [InlineData(new byte[] { 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 1 }, NodeRecordError.Unsorted)]
    [InlineData(new byte[] { 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 1, 0, 0, 0, 9, 2, 0, 0, 0, 0, 1, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0 }, NodeRecordError.Unsorted)]
    [InlineData(new byte[] { 4, 0, 0, 0, 1, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 0 }, NodeRecordError.UnlistedClaim)]
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
        bytes[5] |= 0xF8;
        bytes[^1] |= 0xFE;

        Assert.True(NodeRecordCodec.TryDecode(bytes, out var record));
        Assert.False(record.Maintenance);
        Assert.False(record.Lean);
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
            if (i % 2 == 0 && data.Length >= NodeRecordCodec.HeaderSize + 4)
            {
                // Make half of them plausible: right version, no verdicts, a claim count that fills the rest.
                data[0] = NodeRecordCodec.FormatVersion;
                data[5] = 0;
                data[22] = 0;
                data[23] = 0;
                var claims = (data.Length - NodeRecordCodec.HeaderSize - 4) / 8;
                data[24] = 0;
                data[25] = 0;
                data[26] = (byte)(claims >> 8);
                data[27] = (byte)claims;
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

        Assert.True(decoded > 0);
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

            var verdictKeys = new HashSet<uint>();
            var verdictCount = random.Next(0, 8);
            while (verdictKeys.Count < verdictCount)
            {
                verdictKeys.Add((uint)random.Next());
            }

            var lean = random.Next(2) == 0;
            var record = new NodeRecord((uint)random.Next(), random.Next(2) == 0, random.Next(2) == 0,
                [.. keys.Select(key => lean
                    ? new NodeVipEntry(key, false, 0, random.Next(2) == 0)
                    : new NodeVipEntry(key, random.Next(2) == 0, (byte)random.Next(256), random.Next(2) == 0))])
            {
                VipSetDigest = (ulong)random.NextInt64(),
                StandingDigest = (ulong)random.NextInt64(),
                Verdicts = [.. verdictKeys.Select(k => new NodeVerdict((NodeVerdictKind)random.Next(1, 3), k, (byte)random.Next(4), random.Next()))],
                Lean = lean,
            };
            var bytes = NodeRecordCodec.Encode(record);
            Assert.True(NodeRecordCodec.TryDecode(bytes, out var clean));
            Assert.Equal(lean ? record.Vips.Where(v => v.Holding).OrderBy(v => v.Key) : record.Vips.OrderBy(v => v.Key), clean.Vips);
            Assert.Equal(record.Verdicts.OrderBy(v => v.Kind).ThenBy(v => v.Key), clean.Verdicts);
            Assert.Equal(bytes, NodeRecordCodec.Encode(clean));

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
