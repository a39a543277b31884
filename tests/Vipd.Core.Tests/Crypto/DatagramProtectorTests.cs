using System.Buffers.Binary;
using Microsoft.Extensions.Time.Testing;
using Vipd.Core.Crypto;
using Vipd.Core.Wire;

namespace Vipd.Core.Tests.Crypto;

public sealed class DatagramProtectorTests
{
    private static readonly Keyring KeyA = Keyring.FromKeys([Enumerable.Repeat((byte)0xA1, 32).ToArray()]);
    private static readonly Keyring KeyB = Keyring.FromKeys([Enumerable.Repeat((byte)0xB2, 32).ToArray()]);

    [Fact]
    public void TryOpen_Sealed_RoundTripsWithSenderAndBoot()
    {
        using var sender = TestSealer.Create(KeyA, "n1", 1, bootId: 0x1234_0001);
        using var receiver = TestSealer.Create(KeyA, "n2", 2);
        var datagram = sender.SealFor("hello"u8, "n2");
        Assert.Equal(WireFormat.Version, datagram[0]);
        Assert.Equal(2, WireFormat.Version);
        Assert.Equal(DropReason.None, receiver.Open(datagram, out var frames, out var opened));
        Assert.Equal("hello"u8.ToArray(), frames);
        Assert.Equal(("n1", 0x1234_0001UL, false), (opened.Sender, opened.BootId, opened.ToAnyone));
    }

    [Fact]
    public void TryOpen_SealedForAnotherNode_WrongRecipient()
    {
        using var sender = TestSealer.Create(KeyA, "n1", 1);
        using var n2 = TestSealer.Create(KeyA, "n2", 2);
        using var n3 = TestSealer.Create(KeyA, "n3", 3);
        var datagram = sender.SealFor("x"u8, "n2");
        Assert.Equal(DropReason.WrongRecipient, n3.Open(datagram, out _, out _));
        Assert.Equal(DropReason.None, n2.Open(datagram, out _, out _));
    }

    [Fact]
    public void TryOpen_SealedForAnyone_AcceptedAndFlagged()
    {
        using var sender = TestSealer.Create(KeyA, "n1", 1);
        using var receiver = TestSealer.Create(KeyA, "n2", 2);
        Assert.Equal(DropReason.None, receiver.Open(sender.SealFor("x"u8, null), out _, out var opened));
        Assert.True(opened.ToAnyone);
    }

    [Fact]
    public void TryOpen_AnyByteFlipped_Rejected()
    {
        using var sender = TestSealer.Create(KeyA, "n1", 1);
        var datagram = sender.SealFor("a payload worth protecting"u8, "n2");
        for (var i = 0; i < datagram.Length; i++)
        {
            using var receiver = TestSealer.Create(KeyA, "n2", 2);
            var tampered = (byte[])datagram.Clone();
            tampered[i] ^= 0x01;
            var reason = receiver.Open(tampered, out _, out _);
            var expected = i switch
            {
                0 => DropReason.UnknownVersion,
                1 => DropReason.UnknownKey,
                _ => DropReason.NotAuthenticated,
            };
            Assert.Equal(expected, reason);
        }
    }

    [Fact]
    public void TryOpen_Version1Datagram_LegacyVersion()
    {
        using var sender = TestSealer.Create(KeyA, "n1", 1);
        using var receiver = TestSealer.Create(KeyA, "n2", 2);
        var datagram = sender.SealFor("x"u8, "n2");
        datagram[0] = WireFormat.LegacyVersion;
        Assert.Equal(DropReason.LegacyVersion, receiver.Open(datagram, out _, out _));
        datagram[0] = 3;
        Assert.Equal(DropReason.UnknownVersion, receiver.Open(datagram, out _, out _));
    }

    [Fact]
    public void TryOpen_WrongKey_UnknownKey()
    {
        using var sender = TestSealer.Create(KeyA, "n1", 1);
        using var receiver = TestSealer.Create(KeyB, "n2", 2);
        Assert.Equal(DropReason.UnknownKey, receiver.Open(sender.SealFor("x"u8, "n2"), out _, out _));
    }

    [Fact]
    public void TryOpen_KeyIdOfRingButOtherKey_NotAuthenticated()
    {
        using var sender = TestSealer.Create(KeyB, "n1", 1);
        using var receiver = TestSealer.Create(KeyA, "n2", 2);
        var datagram = sender.SealFor("x"u8, "n2");
        datagram[1] = KeyA.KeyIds[0];
        Assert.Equal(DropReason.NotAuthenticated, receiver.Open(datagram, out _, out _));
    }

    [Fact]
    public void TryOpen_Replayed_Rejected()
    {
        using var sender = TestSealer.Create(KeyA, "n1", 1);
        using var receiver = TestSealer.Create(KeyA, "n2", 2);
        var datagram = sender.SealFor("x"u8, "n2");
        Assert.Equal(DropReason.None, receiver.Open(datagram, out _, out _));
        Assert.Equal(DropReason.Replayed, receiver.Open(datagram, out _, out _));
    }

    [Fact]
    public void TryOpen_OwnDatagramSentBack_Rejected()
    {
        using var node = TestSealer.Create(KeyA, "n1", 1);
        Assert.Equal(DropReason.Replayed, node.Open(node.SealFor("x"u8, null), out _, out _));
    }

    [Fact]
    public void TryOpen_ReorderedWithinWindow_AcceptedOnce()
    {
        using var sender = TestSealer.Create(KeyA, "n1", 1);
        using var receiver = TestSealer.Create(KeyA, "n2", 2);
        var datagrams = Enumerable.Range(0, 70).Select(_ => sender.SealFor("x"u8, "n2")).ToArray();
        Assert.Equal(DropReason.None, receiver.Open(datagrams[69], out _, out _));
        Assert.Equal(DropReason.None, receiver.Open(datagrams[10], out _, out _));
        Assert.Equal(DropReason.Replayed, receiver.Open(datagrams[10], out _, out _));
        Assert.Equal(DropReason.Replayed, receiver.Open(datagrams[2], out _, out _));
    }

    [Fact]
    public void TryOpen_NotAuthenticated_DoesNotAdvanceWindow()
    {
        using var sender = TestSealer.Create(KeyA, "n1", 1);
        using var receiver = TestSealer.Create(KeyA, "n2", 2);
        var first = sender.SealFor("x"u8, "n2");
        var second = sender.SealFor("y"u8, "n2");
        var forged = (byte[])second.Clone();
        forged[^1] ^= 1;
        Assert.Equal(DropReason.NotAuthenticated, receiver.Open(forged, out _, out _));
        Assert.Equal(DropReason.None, receiver.Open(second, out _, out _));
        Assert.Equal(DropReason.None, receiver.Open(first, out _, out _));
    }

    [Fact]
    public void TryOpen_SameCounterOtherSender_Accepted()
    {
        using var senderOne = TestSealer.Create(KeyA, "n1", 1);
        using var senderTwo = TestSealer.Create(KeyA, "n3", 1);
        using var receiver = TestSealer.Create(KeyA, "n2", 2);
        Assert.Equal(DropReason.None, receiver.Open(senderOne.SealFor("x"u8, "n2"), out _, out _));
        Assert.Equal(DropReason.None, receiver.Open(senderTwo.SealFor("x"u8, "n2"), out _, out _));
    }

    [Fact]
    public void TryOpen_NewerBoot_FreshWindowAndOlderBootRefusedUntilNewerSilent()
    {
        var time = new FakeTimeProvider();
        using var receiver = TestSealer.Create(KeyA, "n2", 2, time, maxTrackedSenders: 16);
        using var oldBoot = TestSealer.Create(KeyA, "n1", 1, bootId: 100UL << DatagramProtector.BootRandomBits);
        using var newBoot = TestSealer.Create(KeyA, "n1", 1, bootId: 200UL << DatagramProtector.BootRandomBits);
        var recorded = oldBoot.SealFor("old"u8, "n2");
        Assert.Equal(DropReason.None, receiver.Open(oldBoot.SealFor("a"u8, "n2"), out _, out _));

        // The restarted process starts its counter anew (same prefix, same counters): a new window, not a replay.
        Assert.Equal(DropReason.None, receiver.Open(newBoot.SealFor("b"u8, "n2"), out _, out _));
        Assert.Equal(DropReason.StaleBoot, receiver.Open(recorded, out _, out _));
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(DropReason.StaleBoot, receiver.Open(recorded, out _, out _));

        // 30 s without a word from the newer boot: a clock stepped back across a restart is taken.
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(DropReason.None, receiver.Open(recorded, out _, out _));
    }

    [Fact]
    public void TryOpen_ManySenders_TrackedSendersBounded()
    {
        using var receiver = TestSealer.Create(KeyA, "n0", 2, maxTrackedSenders: 8);
        for (uint i = 0; i < 20; i++)
        {
            using var sender = TestSealer.Create(KeyA, $"s{i}", i);
            Assert.Equal(DropReason.None, receiver.Open(sender.SealFor("x"u8, "n0"), out _, out _));
        }

        Assert.Equal(8, receiver.TrackedSenders);
    }

    [Fact]
    public void TryOpen_TruncatedOrOversized_Rejected()
    {
        using var sender = TestSealer.Create(KeyA, "n1", 1);
        using var receiver = TestSealer.Create(KeyA, "n2", 2);
        var datagram = sender.SealFor("x"u8, "n2");
        Assert.Equal(DropReason.Truncated, receiver.Open(datagram[..(DatagramProtector.Overhead - 1)], out _, out _));
        Assert.Equal(DropReason.NotAuthenticated, receiver.Open(datagram[..^1], out _, out _));
        Assert.Equal(DropReason.Truncated, receiver.Open([], out _, out _));
        var big = new byte[WireFormat.MaxDatagramSize + 1];
        big[0] = WireFormat.Version;
        Assert.Equal(DropReason.Oversized, receiver.Open(big, out _, out _));
    }

    [Fact]
    public void CreateRandom_TwoProcesses_DifferentNoncesAndBootsAndInteroperate()
    {
        var time = new FakeTimeProvider();
        using var one = DatagramProtector.CreateRandom(KeyA, "n1", time, 16, TimeSpan.FromSeconds(30));
        using var two = DatagramProtector.CreateRandom(KeyA, "n2", time, 16, TimeSpan.FromSeconds(30));
        var a = one.SealFor("x"u8, "n2");
        var b = two.SealFor("x"u8, "n1");
        Assert.False(a.AsSpan(2, 12).SequenceEqual(b.AsSpan(2, 12)));
        Assert.Equal(DatagramProtector.BootTime(one.BootId), (ulong)time.GetUtcNow().ToUnixTimeMilliseconds());
        Assert.Equal(DropReason.None, two.Open(a, out _, out var opened));
        Assert.Equal(one.BootId, opened.BootId);
        Assert.Equal(DropReason.None, one.Open(b, out _, out _));
    }

    [Fact]
    public void Constructor_NameOutsideWireCharset_Throws()
    {
        Assert.Throws<ArgumentException>(() => TestSealer.Create(KeyA, "bad name"));
        Assert.Throws<ArgumentException>(() => TestSealer.Create(KeyA, "n\u001b[31m"));
    }

    [Fact]
    public void Seal_NoncesNeverRepeat()
    {
        using var sender = TestSealer.Create(KeyA, "n1", 1);
        var nonces = Enumerable.Range(0, 5000).Select(_ => Convert.ToHexString(sender.SealFor("x"u8, "n2").AsSpan(2, 12))).ToHashSet();
        Assert.Equal(5000, nonces.Count);
    }

    [Fact]
    public void UpdateKeyring_RotationOldPrimarySecond_BothAccepted()
    {
        var rotated = Keyring.FromKeys([Enumerable.Repeat((byte)0xB2, 32).ToArray(), Enumerable.Repeat((byte)0xA1, 32).ToArray()]);
        using var oldNode = TestSealer.Create(KeyA, "n1", 1);
        using var newNode = TestSealer.Create(KeyA, "n2", 2);
        newNode.UpdateKeyring(rotated);
        Assert.Equal(DropReason.None, newNode.Open(oldNode.SealFor("old"u8, "n2"), out _, out _));
        Assert.Equal(DropReason.UnknownKey, oldNode.Open(newNode.SealFor("new"u8, "n1"), out _, out _));
        oldNode.UpdateKeyring(rotated);
        Assert.Equal(DropReason.None, oldNode.Open(newNode.SealFor("new"u8, "n1"), out _, out _));
    }

    [Fact]
    public void Seal_Layout_VersionKeyIdBootIdCounterThenSealedIdentity()
    {
        const ulong boot = (1_700_000_000_000UL << DatagramProtector.BootRandomBits) | 0x2A;
        using var sender = TestSealer.Create(KeyA, "n1", bootId: boot, initialCounter: 41);
        using var receiver = TestSealer.Create(KeyA, "n2", 2);
        var datagram = sender.SealFor("ab"u8, "n2");

        // [version][key id][nonce: boot id u64, counter u32][ciphertext: recipient id u64, name, frames][tag 16]
        Assert.Equal(1 + 1 + 12 + 8 + 1 + 2 + 2 + 16, datagram.Length);
        Assert.Equal(30, DatagramProtector.Overhead);
        Assert.Equal(30 + 8 + 3, sender.SealedOverhead);
        Assert.Equal(KeyA.KeyIds[0], datagram[1]);
        Assert.Equal(boot, BinaryPrimitives.ReadUInt64BigEndian(datagram.AsSpan(2)));
        Assert.Equal(42u, BinaryPrimitives.ReadUInt32BigEndian(datagram.AsSpan(10)));

        // The boot id is in clear but authenticated: a datagram claiming another boot does not open.
        var otherBoot = (byte[])datagram.Clone();
        otherBoot[9] ^= 0x40;
        Assert.Equal(DropReason.NotAuthenticated, receiver.Open(otherBoot, out _, out _));
        Assert.Equal(DropReason.None, receiver.Open(datagram, out var frames, out var opened));
        Assert.Equal((boot, "n1"), (opened.BootId, opened.Sender));
        Assert.Equal("ab"u8.ToArray(), frames);
    }

    [Fact]
    public void Seal_CounterAboutToWrap_MovesToALaterBootThatReceiversAccept()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_000_000));
        const ulong boot = 5_000_000UL << DatagramProtector.BootRandomBits; // later than the clock: the next boot must still be later
        using var sender = TestSealer.Create(KeyA, "n1", time: time, bootId: boot, initialCounter: uint.MaxValue - 1);
        using var receiver = TestSealer.Create(KeyA, "n2", 2, time);
        var last = sender.SealFor("a"u8, "n2");
        var next = sender.SealFor("b"u8, "n2");
        Assert.Equal(uint.MaxValue, BinaryPrimitives.ReadUInt32BigEndian(last.AsSpan(10)));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32BigEndian(next.AsSpan(10)));
        Assert.NotEqual(boot, sender.BootId);
        Assert.True(DatagramProtector.BootTime(sender.BootId) > DatagramProtector.BootTime(boot));
        Assert.Equal(sender.BootId, BinaryPrimitives.ReadUInt64BigEndian(next.AsSpan(2)));
        Assert.Equal(DropReason.None, receiver.Open(last, out _, out _));
        Assert.Equal(DropReason.None, receiver.Open(next, out _, out _));

        // The old boot is over: its datagrams are refused while the new one speaks; the sender ignores its own.
        Assert.Equal(DropReason.StaleBoot, receiver.Open(last, out _, out _));
        Assert.Equal(DropReason.Replayed, sender.Open(sender.SealFor("c"u8, null), out _, out _));
    }

    [Fact]
    public void TryOpen_TwoKeysShareTheOneByteId_EachTried()
    {
        // Find two keys whose SHA-256 starts with the same byte (1 in 256 pairs).
        var first = Enumerable.Repeat((byte)0xA1, 32).ToArray();
        var id = System.Security.Cryptography.SHA256.HashData(first)[0];
        byte[]? second = null;
        for (var i = 0; i < 100_000 && second is null; i++)
        {
            var candidate = BitConverter.GetBytes(i).Concat(new byte[28]).ToArray();
            if (System.Security.Cryptography.SHA256.HashData(candidate)[0] == id)
            {
                second = candidate;
            }
        }

        Assert.NotNull(second);
        var ring = Keyring.FromKeys([first, second]);
        Assert.Equal(ring.KeyIds[0], ring.KeyIds[1]);
        using var sender = TestSealer.Create(Keyring.FromKeys([second]), "n1", 1);
        using var receiver = TestSealer.Create(ring, "n2", 2);
        Assert.Equal(DropReason.None, receiver.Open(sender.SealFor("x"u8, "n2"), out _, out _));
    }
}
