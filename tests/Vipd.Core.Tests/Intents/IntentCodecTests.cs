using Vipd.Core.Intents;
using static Vipd.Core.Tests.Intents.IntentTestVips;

namespace Vipd.Core.Tests.Intents;

public sealed class IntentCodecTests
{
    private static IReadOnlyList<DynamicVip> Sample()
    {
        Assert.True(IntentValidation.TryCreateVip("api", "2001:db8::20/64", "eth1", ["n2", "n1"], false, TimeSpan.FromSeconds(30), 200,
            [new("n1", 50), new("n3", 255)], out var v6, out var errors), string.Join("; ", errors));
        return [v6!, Vip("web", "192.0.2.10/24")];
    }

    [Fact]
    public void TryDecodeVips_Encoded_RoundTrips()
    {
        var vips = Sample();
        var bytes = IntentCodec.EncodeVips(vips);

        Assert.True(IntentCodec.TryDecodeVips(bytes, out var decoded));
        Assert.Equal(vips, decoded);
        Assert.Equal(["n1", "n2"], decoded[0].AllowedNodes);
        Assert.Equal(50, decoded[0].PriorityOf("n1"));
        Assert.Equal(200, decoded[0].PriorityOf("n9"));
    }

    [Fact]
    public void TryDecodeVips_EveryTruncation_Rejected()
    {
        var bytes = IntentCodec.EncodeVips(Sample());
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.False(IntentCodec.TryDecodeVips(bytes.AsSpan(0, length), out _), $"prefix of {length} bytes accepted");
        }

        Assert.False(IntentCodec.TryDecodeVips([.. bytes, 0], out _));
    }

    [Fact]
    public void TryDecodeVips_Unsorted_RejectedAsNonCanonical()
    {
        var bytes = IntentCodec.EncodeVips([Vip("web", "192.0.2.10/24"), Vip("api", "192.0.2.11/24")]);
        Assert.False(IntentCodec.TryDecodeVips(bytes, out _));
    }

    [Fact]
    public void TryDecodeVips_InvalidVip_Rejected()
    {
        // Loopback address, written by hand: the decoder re-validates with the API's rules.
        var bytes = IntentCodec.EncodeVips([Vip("web", "192.0.2.10/24")]);
        var address = Array.IndexOf(bytes, (byte)192);
        bytes[address] = 127;
        Assert.False(IntentCodec.TryDecodeVips(bytes, out _));
    }

    [Fact]
    public void TryDecodeVips_Fuzzed_NeverThrowsAndAcceptsOnlyCanonical()
    {
        var random = new Random(11);
        var original = IntentCodec.EncodeVips(Sample());
        var accepted = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = (byte[])original.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            if (IntentCodec.TryDecodeVips(bytes, out var vips))
            {
                accepted++;
                Assert.Equal(bytes, IntentCodec.EncodeVips(vips));
            }
        }

        Assert.InRange(accepted, 1, 20_000);
    }

    [Theory]
    [InlineData("n1")]
    [InlineData("node-2.example")]
    public void TryDecodeNode_Encoded_RoundTrips(string node)
    {
        Assert.True(IntentCodec.TryDecodeNode(IntentCodec.EncodeNode(node), out var decoded));
        Assert.Equal(node, decoded);
    }

    [Fact]
    public void TryDecodeNode_Malformed_Rejected()
    {
        Assert.False(IntentCodec.TryDecodeNode([], out _));
        Assert.False(IntentCodec.TryDecodeNode([2, (byte)'n'], out _));
        Assert.False(IntentCodec.TryDecodeNode([2, (byte)'-', (byte)'n'], out _));
        Assert.False(IntentCodec.TryDecodeNode([1, (byte)'n', 0], out _));
    }
}
