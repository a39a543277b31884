using Microsoft.Extensions.Time.Testing;
using Vipd.Core.Crypto;
using Vipd.Core.Wire;

namespace Vipd.Core.Tests.Crypto;

/// <summary>Test helpers: a peer's <see cref="DatagramProtector"/>, sealing to a node by name and opening.</summary>
internal static class TestSealer
{
    /// <summary>
    /// A protector for the node <paramref name="name"/>; its boot id (the nonce's first 8 bytes) is <paramref name="bootId"/>
    /// or derived from <paramref name="seed"/> (equal seeds: equal nonces, for tests of the replay windows only).
    /// </summary>
    public static DatagramProtector Create(Keyring keyring, string name, uint seed = 1, TimeProvider? time = null,
        ulong? bootId = null, int maxTrackedSenders = 4096, uint initialCounter = 0) =>
        new(keyring, name, bootId ?? (((ulong)seed + 1) << DatagramProtector.BootRandomBits), time ?? new FakeTimeProvider(),
            maxTrackedSenders, initialCounter);

    /// <summary>Seals <paramref name="frames"/> for <paramref name="recipient"/> (null: anyone).</summary>
    public static byte[] SealFor(this DatagramProtector protector, ReadOnlySpan<byte> frames, string? recipient)
    {
        var datagram = new byte[frames.Length + protector.SealedOverhead];
        var length = protector.Seal(frames, recipient is null ? DatagramProtector.AnyRecipient : DatagramProtector.RecipientId(recipient), datagram);
        Assert.Equal(datagram.Length, length);
        return datagram;
    }

    /// <summary>Opens <paramref name="datagram"/>; on success <paramref name="frames"/> are its message frames.</summary>
    public static DropReason Open(this DatagramProtector protector, byte[] datagram, out byte[] frames, out OpenedDatagram opened)
    {
        var buffer = new byte[Math.Max(0, datagram.Length)];
        var reason = protector.TryOpen(datagram, buffer, out opened);
        frames = reason == DropReason.None ? buffer.AsSpan(opened.FramesOffset, opened.FramesLength).ToArray() : [];
        return reason;
    }

    /// <summary>Opens and decodes <paramref name="datagram"/>, asserting both succeed.</summary>
    public static IReadOnlyList<WireMessage> OpenMessages(this DatagramProtector protector, byte[] datagram)
    {
        Assert.Equal(DropReason.None, protector.Open(datagram, out var frames, out _));
        Assert.Equal(DropReason.None, MessageCodec.TryDecode(frames, out var messages));
        return messages;
    }
}
