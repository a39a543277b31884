using System.Buffers.Binary;
using System.Net;
using Vipd.Core.Crypto;
using Vipd.Core.Wire;

namespace Vipd.Core.Tests.Crypto;

public sealed class DatagramProtectorTests
{
    private static readonly IPEndPoint Sender = new(IPAddress.Parse("192.0.2.21"), 7450);
    private static readonly Keyring KeyA = Keyring.FromKeys([Enumerable.Repeat((byte)0xA1, 32).ToArray()]);
    private static readonly Keyring KeyB = Keyring.FromKeys([Enumerable.Repeat((byte)0xB2, 32).ToArray()]);

    [Fact]
    public void TryOpen_Sealed_RoundTrips()
    {
        using var sender = new DatagramProtector(KeyA, 1);
        using var receiver = new DatagramProtector(KeyA, 2);
        var datagram = Seal(sender, "hello"u8);
        Assert.Equal(WireFormat.Version, datagram[0]);
        Assert.Equal(DropReason.None, Open(receiver, datagram, out var plaintext));
        Assert.Equal("hello"u8.ToArray(), plaintext);
    }

    [Fact]
    public void TryOpen_AnyByteFlipped_Rejected()
    {
        using var sender = new DatagramProtector(KeyA, 1);
        var datagram = Seal(sender, "a payload worth protecting"u8);
        for (var i = 0; i < datagram.Length; i++)
        {
            using var receiver = new DatagramProtector(KeyA, 2);
            var tampered = (byte[])datagram.Clone();
            tampered[i] ^= 0x01;
            var reason = Open(receiver, tampered, out _);
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
    public void TryOpen_WrongKey_UnknownKey()
    {
        using var sender = new DatagramProtector(KeyA, 1);
        using var receiver = new DatagramProtector(KeyB, 2);
        Assert.Equal(DropReason.UnknownKey, Open(receiver, Seal(sender, "x"u8), out _));
    }

    [Fact]
    public void TryOpen_KeyIdOfRingButOtherKey_NotAuthenticated()
    {
        using var sender = new DatagramProtector(KeyB, 1);
        using var receiver = new DatagramProtector(KeyA, 2);
        var datagram = Seal(sender, "x"u8);
        BinaryPrimitives.WriteUInt32BigEndian(datagram.AsSpan(1), KeyA.KeyIds[0]);
        Assert.Equal(DropReason.NotAuthenticated, Open(receiver, datagram, out _));
    }

    [Fact]
    public void TryOpen_Replayed_Rejected()
    {
        using var sender = new DatagramProtector(KeyA, 1);
        using var receiver = new DatagramProtector(KeyA, 2);
        var datagram = Seal(sender, "x"u8);
        Assert.Equal(DropReason.None, Open(receiver, datagram, out _));
        Assert.Equal(DropReason.Replayed, Open(receiver, datagram, out _));
    }

    [Fact]
    public void TryOpen_ReorderedWithinWindow_AcceptedOnce()
    {
        using var sender = new DatagramProtector(KeyA, 1);
        using var receiver = new DatagramProtector(KeyA, 2);
        var datagrams = Enumerable.Range(0, 70).Select(_ => Seal(sender, "x"u8)).ToArray();
        Assert.Equal(DropReason.None, Open(receiver, datagrams[69], out _));
        Assert.Equal(DropReason.None, Open(receiver, datagrams[10], out _));
        Assert.Equal(DropReason.Replayed, Open(receiver, datagrams[10], out _));
        Assert.Equal(DropReason.Replayed, Open(receiver, datagrams[2], out _));
    }

    [Fact]
    public void TryOpen_NotAuthenticated_DoesNotAdvanceWindow()
    {
        using var sender = new DatagramProtector(KeyA, 1);
        using var receiver = new DatagramProtector(KeyA, 2);
        var first = Seal(sender, "x"u8);
        var second = Seal(sender, "y"u8);
        var forged = (byte[])second.Clone();
        forged[^1] ^= 1;
        Assert.Equal(DropReason.NotAuthenticated, Open(receiver, forged, out _));
        Assert.Equal(DropReason.None, Open(receiver, second, out _));
        Assert.Equal(DropReason.None, Open(receiver, first, out _));
    }

    [Fact]
    public void TryOpen_SameCounterOtherSenderOrPrefix_Accepted()
    {
        using var senderOne = new DatagramProtector(KeyA, 1);
        using var senderTwo = new DatagramProtector(KeyA, 7);
        using var receiver = new DatagramProtector(KeyA, 2);
        var one = Seal(senderOne, "x"u8);
        Assert.Equal(DropReason.None, Open(receiver, one, out _));
        Assert.Equal(DropReason.None, Open(receiver, Seal(senderTwo, "x"u8), out _));
        var opened = new byte[one.Length];
        Assert.Equal(DropReason.None, receiver.TryOpen(one, new IPEndPoint(IPAddress.Parse("192.0.2.22"), 7450), opened, out _));
    }

    [Fact]
    public void TryOpen_ManySenders_TrackedSendersBounded()
    {
        using var receiver = new DatagramProtector(KeyA, 2, maxTrackedSenders: 8);
        for (uint prefix = 0; prefix < 20; prefix++)
        {
            using var sender = new DatagramProtector(KeyA, prefix);
            Assert.Equal(DropReason.None, Open(receiver, Seal(sender, "x"u8), out _));
        }

        Assert.Equal(8, receiver.TrackedSenders);
    }

    [Fact]
    public void TryOpen_TruncatedOrOversized_Rejected()
    {
        using var sender = new DatagramProtector(KeyA, 1);
        using var receiver = new DatagramProtector(KeyA, 2);
        var datagram = Seal(sender, "x"u8);
        Assert.Equal(DropReason.Truncated, Open(receiver, datagram[..(DatagramProtector.Overhead - 1)], out _));
        Assert.Equal(DropReason.NotAuthenticated, Open(receiver, datagram[..^1], out _));
        Assert.Equal(DropReason.Truncated, Open(receiver, [], out _));
        var big = new byte[WireFormat.MaxDatagramSize + 1];
        big[0] = WireFormat.Version;
        Assert.Equal(DropReason.Oversized, Open(receiver, big, out _));
    }

    [Fact]
    public void Seal_NoncesNeverRepeat()
    {
        using var sender = new DatagramProtector(KeyA, 1);
        var nonces = Enumerable.Range(0, 5000).Select(_ => Convert.ToHexString(Seal(sender, "x"u8).AsSpan(5, 12))).ToHashSet();
        Assert.Equal(5000, nonces.Count);
    }

    [Fact]
    public void UpdateKeyring_RotationOldPrimarySecond_BothAccepted()
    {
        var rotated = Keyring.FromKeys([Enumerable.Repeat((byte)0xB2, 32).ToArray(), Enumerable.Repeat((byte)0xA1, 32).ToArray()]);
        using var oldNode = new DatagramProtector(KeyA, 1);
        using var newNode = new DatagramProtector(KeyA, 2);
        newNode.UpdateKeyring(rotated);
        Assert.Equal(DropReason.None, Open(newNode, Seal(oldNode, "old"u8), out _));
        Assert.Equal(DropReason.UnknownKey, Open(oldNode, Seal(newNode, "new"u8), out _));
        oldNode.UpdateKeyring(rotated);
        Assert.Equal(DropReason.None, Open(oldNode, Seal(newNode, "new"u8), out _));
    }

    private static byte[] Seal(DatagramProtector protector, ReadOnlySpan<byte> plaintext)
    {
        var datagram = new byte[plaintext.Length + DatagramProtector.Overhead];
        Assert.Equal(datagram.Length, protector.Seal(plaintext, datagram));
        return datagram;
    }

    private static DropReason Open(DatagramProtector protector, byte[] datagram, out byte[] plaintext)
    {
        var buffer = new byte[Math.Max(0, datagram.Length)];
        var reason = protector.TryOpen(datagram, Sender, buffer, out var length);
        plaintext = buffer[..length];
        return reason;
    }
}
