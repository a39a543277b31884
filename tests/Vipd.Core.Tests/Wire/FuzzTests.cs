using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using Vipd.Core.Crypto;
using Vipd.Core.Membership;
using Vipd.Core.Net;
using Vipd.Core.Tests.Crypto;
using Vipd.Core.Wire;
using Xunit.Abstractions;

namespace Vipd.Core.Tests.Wire;

/// <summary>
/// Seeded fuzzing of the plaintext decoder, directly and behind AES-GCM (mutated plaintexts sealed fresh with the
/// cluster key, so they reach the decoder and the state machine). 20,000 iterations in CI; a longer run by hand:
/// <c>VIPD_FUZZ_ITERATIONS=2000000 VIPD_SEED=7 dotnet test --filter FuzzTests</c>.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private static readonly IPEndPoint Local = new(IPAddress.Parse("192.0.2.50"), 7450);
    private static readonly IPEndPoint[] Senders =
    [
        new(IPAddress.Parse("192.0.2.51"), 7450),
        new(IPAddress.Parse("192.0.2.52"), 7450),
        new(IPAddress.Parse("2001:db8::53"), 7450),
    ];

    private static readonly Keyring Key = Keyring.FromKeys([Enumerable.Range(0, 32).Select(i => (byte)(i * 3)).ToArray()]);

    private static int Iterations =>
        Environment.GetEnvironmentVariable("VIPD_FUZZ_ITERATIONS") is { Length: > 0 } text ? int.Parse(text, CultureInfo.InvariantCulture) : 20_000;

    private static int Seed => Environment.GetEnvironmentVariable("VIPD_SEED") is { Length: > 0 } text
        ? int.Parse(text, CultureInfo.InvariantCulture) : 20251125;

    [Fact]
    public void TryDecode_RandomAndMutatedPlaintexts_NeverThrows()
    {
        var random = new Random(Seed);
        var corpus = Corpus();
        var decoded = new List<WireMessage>();
        var counts = new Dictionary<DropReason, int>();
        for (var i = 0; i < Iterations; i++)
        {
            var input = Next(random, corpus);
            decoded.Clear();
            DropReason reason;
            try
            {
                reason = MessageCodec.TryDecode(input, decoded);
            }
            catch (Exception ex)
            {
                throw new InvalidOperationException(
                    $"TryDecode threw at iteration {i}; replay with VIPD_SEED={Seed}; input {Convert.ToHexString(input)}", ex);
            }

            counts[reason] = counts.GetValueOrDefault(reason) + 1;
        }

        output.WriteLine(string.Join(", ", counts.Select(kv => $"{kv.Key}={kv.Value}")));
        Assert.True(counts.GetValueOrDefault(DropReason.None) > Iterations / 20, "the mutator should keep many inputs valid");
    }

    [Fact]
    public void OnDatagram_SealedMutatedPlaintexts_NeverThrowsNorStalls()
    {
        var random = new Random(Seed);
        var corpus = Corpus();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var transport = new CountingTransport();
        using var membership = new SwimMembership("n1", Local, MembershipOptions.Default, transport, Key, time, new Random(Seed));
        membership.Start([]);
        var sealers = Senders.Select((s, i) => TestSealer.Create(Key, $"n{i + 2}", (uint)(1000 + i))).ToArray();
        var stopwatch = Stopwatch.StartNew();
        try
        {
            var buffer = new byte[WireFormat.MaxDatagramSize * 2];
            for (var i = 0; i < Iterations; i++)
            {
                var plaintext = Next(random, corpus);
                var sender = random.Next(Senders.Length);
                byte[] datagram;
                switch (random.Next(10))
                {
                    case 0:
                        // Raw garbage, not sealed.
                        datagram = plaintext;
                        break;
                    case 1:
                        // Sealed, then the ciphertext mutated.
                        datagram = SealTo(sealers[sender], plaintext, buffer);
                        if (datagram.Length > 0)
                        {
                            datagram[random.Next(datagram.Length)] ^= (byte)(1 << random.Next(8));
                        }

                        break;
                    default:
                        datagram = SealTo(sealers[sender], plaintext, buffer);
                        break;
                }

                membership.OnDatagram(datagram, Senders[sender]);
                if (i % 50 == 0)
                {
                    time.Advance(TimeSpan.FromMilliseconds(random.Next(1, 60)));
                }
            }
        }
        finally
        {
            foreach (var sealer in sealers)
            {
                sealer.Dispose();
            }
        }

        output.WriteLine($"{Iterations} datagrams in {stopwatch.ElapsedMilliseconds} ms; drops: "
            + string.Join(", ", membership.Drops.Snapshot().Select(kv => $"{kv.Key}={kv.Value}"))
            + $"; members {membership.Members.Count}; sent {transport.Count}");
        Assert.Equal(0, membership.Drops[DropReason.InternalError]);

        // Still alive and answering after the storm: a fresh, valid ping gets its ack.
        using var peer = TestSealer.Create(Key, "fuzzer", 99, time);
        var before = transport.Count;
        var fuzzer = new IPEndPoint(IPAddress.Parse("192.0.2.99"), 7450);
        membership.OnDatagram(SealTo(peer, MessageCodec.Encode(new PingMessage(77),
            new AliveMessage((uint)time.GetUtcNow().ToUnixTimeSeconds(), "fuzzer", fuzzer, ReadOnlyMemory<byte>.Empty)), new byte[WireFormat.MaxDatagramSize]),
            fuzzer);
        Assert.Equal(before + 1, transport.Count);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(0, membership.Drops[DropReason.InternalError]);
    }

    private static byte[] SealTo(DatagramProtector sealer, byte[] plaintext, byte[] buffer)
    {
        var length = Math.Min(plaintext.Length, WireFormat.MaxDatagramSize - sealer.SealedOverhead);
        var sealedLength = sealer.Seal(plaintext.AsSpan(0, length), DatagramProtector.RecipientId("n1"), buffer);
        return buffer[..sealedLength];
    }

    private static List<byte[]> Corpus()
    {
        var v4 = new IPEndPoint(IPAddress.Parse("192.0.2.60"), 7450);
        var v6 = new IPEndPoint(IPAddress.Parse("2001:db8::60"), 7451);
        WireMessage[] messages =
        [
            new PingMessage(1),
            new PingMessage(2, 7),
            new AliveRequestMessage("n1"),
            new AliveRequestMessage("n2"),
            new IndirectPingMessage(3, "n3", v4, true),
            new IndirectPingMessage(4, "n1", v6, false),
            new AckMessage(1),
            new NackMessage(1),
            new AliveMessage(5, "n2", v4, new byte[] { 1, 2, 3 }),
            new AliveMessage(uint.MaxValue - 1, "n1", v6, ReadOnlyMemory<byte>.Empty),
            new SuspectMessage(5, "n2", "n3"),
            new SuspectMessage(0, "n1", "n3"),
            new DeadMessage(5, "n2", "n3"),
            new DeadMessage(9, "n3", "n3"),
            new PushPullMessage(false, true, [new PushPullEntry("n4", v4, 1, MemberState.Alive, new byte[8])]),
            new PushPullMessage(true, false, [new PushPullEntry("n1", v4, 7, MemberState.Dead, ReadOnlyMemory<byte>.Empty),
                new PushPullEntry("n5", v6, 2, MemberState.Suspect, ReadOnlyMemory<byte>.Empty)]),
        ];
        var corpus = messages.Select(m => MessageCodec.Encode(m)).ToList();
        corpus.Add(MessageCodec.Encode(messages));
        corpus.Add(MessageCodec.Encode(messages[6], messages[8], messages[10]));
        return corpus;
    }

    private static byte[] Next(Random random, List<byte[]> corpus)
    {
        if (random.Next(8) == 0)
        {
            var bytes = new byte[random.Next(0, 1500)];
            random.NextBytes(bytes);
            return bytes;
        }

        var data = new List<byte>(corpus[random.Next(corpus.Count)]);
        var mutations = random.Next(0, 4);
        for (var m = 0; m < mutations; m++)
        {
            switch (random.Next(7))
            {
                case 0 when data.Count > 0:
                    data[random.Next(data.Count)] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data[random.Next(data.Count)] = (byte)random.Next(256);
                    break;
                case 2:
                    data.Insert(random.Next(data.Count + 1), (byte)random.Next(256));
                    break;
                case 3 when data.Count > 0:
                    data.RemoveAt(random.Next(data.Count));
                    break;
                case 4 when data.Count > 0:
                    data.RemoveRange(random.Next(data.Count), data.Count - random.Next(data.Count) > 0 ? 1 : 0);
                    data = data.Take(random.Next(data.Count + 1)).ToList();
                    break;
                case 5:
                    data.AddRange(corpus[random.Next(corpus.Count)]);
                    break;
                default:
                    if (data.Count > 0)
                    {
                        // Interesting values at a random position.
                        var at = random.Next(data.Count);
                        data[at] = (byte)(random.Next(4) switch { 0 => 0, 1 => 0xFF, 2 => 0x7F, _ => 0x80 });
                    }

                    break;
            }
        }

        return [.. data];
    }

    private sealed class CountingTransport : ITransport
    {
        public int Count { get; private set; }

        public void Send(ReadOnlySpan<byte> datagram, IPEndPoint destination)
        {
            Assert.True(datagram.Length <= WireFormat.MaxDatagramSize);
            Count++;
        }
    }
}
