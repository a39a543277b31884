using Vipd.Core.Intents;

namespace Vipd.Core.Tests.Intents;

public sealed class IntentMessageCodecTests
{
    private static readonly IntentKey Source = new(IntentKind.Source, "k8s");
    private static readonly IntentKey Preference = new(IntentKind.Preference, "web");
    private static readonly IntentVersion Version = new(ulong.MaxValue - 1, "node-1");

    private static byte[][] Encoded =>
    [
        IntentMessageCodec.EncodeSummary(0x0123456789abcdef, 7),
        IntentMessageCodec.EncodeDigest(true, [(Source, Version), (Preference, new IntentVersion(1, "n2"))]),
        IntentMessageCodec.EncodeDigest(false, []),
        IntentMessageCodec.EncodeRequest([IntentWant.Whole(Source), new IntentWant(Preference, Version, [(0, 10), (1400, 3)])]),
        IntentMessageCodec.EncodeFragment(Source, Version, null, 10, 4, [1, 2, 3]),
        IntentMessageCodec.EncodeFragment(Preference, Version, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), 0, 0, []),
    ];

    [Fact]
    public void TryDecode_Encoded_RoundTrips()
    {
        var summary = Assert.IsType<IntentSummaryMessage>(IntentMessageCodec.TryDecode(Encoded[0]));
        Assert.Equal((0x0123456789abcdeful, 7u), (summary.Hash, summary.Count));

        var digest = Assert.IsType<IntentDigestMessage>(IntentMessageCodec.TryDecode(Encoded[1]));
        Assert.True(digest.WantsDigest);
        Assert.Equal([(Source, Version), (Preference, new IntentVersion(1, "n2"))], digest.Entries);
        Assert.Empty(Assert.IsType<IntentDigestMessage>(IntentMessageCodec.TryDecode(Encoded[2])).Entries);

        var wants = Assert.IsType<IntentRequestMessage>(IntentMessageCodec.TryDecode(Encoded[3])).Wants;
        Assert.Equal((Source, (IntentVersion?)null, 0), (wants[0].Key, wants[0].Version, wants[0].Ranges.Count));
        Assert.Equal((Preference, (IntentVersion?)Version), (wants[1].Key, wants[1].Version));
        Assert.Equal([(0, 10), (1400, 3)], wants[1].Ranges);

        var fragment = Assert.IsType<IntentFragmentMessage>(IntentMessageCodec.TryDecode(Encoded[4]));
        Assert.Equal((Source, Version, (DateTimeOffset?)null, 10, 4), (fragment.Key, fragment.Version, fragment.DeletedAt, fragment.TotalLength, fragment.Offset));
        Assert.Equal([1, 2, 3], fragment.Chunk.ToArray());

        var tombstone = Assert.IsType<IntentFragmentMessage>(IntentMessageCodec.TryDecode(Encoded[5]));
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), tombstone.DeletedAt);
        Assert.Equal(Encoded[4].Length, IntentMessageCodec.FragmentOverhead(Source, Version, false) + 3);
    }

    [Fact]
    public void TryDecode_EveryTruncationAndTrailingByte_Rejected()
    {
        foreach (var bytes in Encoded)
        {
            // A fragment's chunk runs to the end: cutting into the chunk leaves a shorter, still valid chunk.
            var minimum = bytes[1] == (byte)IntentMessageKind.Fragment ? bytes.Length - 3 : bytes.Length;
            for (var length = 0; length < Math.Min(minimum, bytes.Length); length++)
            {
                Assert.Null(IntentMessageCodec.TryDecode(bytes.AsSpan(0, length)));
            }

            if (bytes[1] != (byte)IntentMessageKind.Fragment)
            {
                Assert.Null(IntentMessageCodec.TryDecode([.. bytes, 0]));
            }
        }
    }

    [Theory]
    [InlineData(new byte[] { 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 })]
    [InlineData(new byte[] { 1, 9 })]
    [InlineData(new byte[] { 1, 3, 0, 1, 3, 3, (byte)'k', (byte)'8', (byte)'s' })]
    [InlineData(new byte[] { 1, 3, 0, 1, 1, 6, (byte)'c', (byte)'o', (byte)'n', (byte)'f', (byte)'i', (byte)'g' })]
    [InlineData(new byte[] { 1, 2, 2, 0, 0 })]
    public void TryDecode_BadFormatKindOrName_Rejected(byte[] bytes) => Assert.Null(IntentMessageCodec.TryDecode(bytes));

    [Fact]
    public void TryDecode_FragmentPastTotal_Rejected()
    {
        Assert.Null(IntentMessageCodec.TryDecode(IntentMessageCodec.EncodeFragment(Source, Version, null, 5, 4, [1, 2])));
        Assert.Null(IntentMessageCodec.TryDecode(IntentMessageCodec.EncodeFragment(Source, Version, DateTimeOffset.UnixEpoch, 1, 0, [1])));
        Assert.Null(IntentMessageCodec.TryDecode(IntentMessageCodec.EncodeFragment(Source, new IntentVersion(0, "n1"), null, 1, 0, [1])));
    }

    [Fact]
    public void TryDecode_Fuzzed_NeverThrows()
    {
        var random = new Random(3);
        var decoded = 0;
        for (var i = 0; i < 50_000; i++)
        {
            var bytes = (byte[])Encoded[random.Next(Encoded.Length)].Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            var length = random.Next(4) == 0 ? random.Next(bytes.Length + 1) : bytes.Length;
            if (IntentMessageCodec.TryDecode(bytes.AsSpan(0, length)) is not null)
            {
                decoded++;
            }
        }

        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            _ = IntentMessageCodec.TryDecode(bytes);
        }

        Assert.InRange(decoded, 1, 50_000);
    }
}
