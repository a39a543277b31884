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
                < 5 => DropReason.UnknownKey,
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
        BinaryPrimitives.WriteUInt32BigEndian(datagram.AsSpan(1), KeyA.KeyIds[0]);
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
        using var oldBoot = TestSealer.Create(KeyA, "n1", 1, bootId: 100UL << 16);
        using var newBoot = TestSealer.Create(KeyA, "n1", 1, bootId: 200UL << 16);
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
        Assert.False(a.AsSpan(5, 12).SequenceEqual(b.AsSpan(5, 12)));
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
        var nonces = Enumerable.Range(0, 5000).Select(_ => Convert.ToHexString(sender.SealFor("x"u8, "n2").AsSpan(5, 12))).ToHashSet();
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
}
