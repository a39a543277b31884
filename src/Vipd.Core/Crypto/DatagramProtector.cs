using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using Vipd.Core.Wire;

namespace Vipd.Core.Crypto;

/// <summary>
/// Seals and opens datagrams: <c>[version u8][key id u32][nonce 12][ciphertext][tag 16]</c>, AES-256-GCM, with the
/// version byte and key id as associated data. The nonce is a random 32-bit prefix chosen per process and a 64-bit
/// counter, so it never repeats under one key. Opening tries the key named by the id, then rejects replays.
/// Not thread-safe: the membership calls it under its lock.
/// </summary>
internal sealed class DatagramProtector : IDisposable
{
    /// <summary>Version, key id and nonce.</summary>
    public const int HeaderSize = 1 + 4 + NonceSize;

    /// <summary>Bytes a sealed datagram adds to its plaintext.</summary>
    public const int Overhead = HeaderSize + TagSize;

    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly uint _noncePrefix;
    private readonly ReplayWindow _replay;
    private Keyring _keyring;
    private AesGcm[] _ciphers;
    private ulong _counter;

    public DatagramProtector(Keyring keyring, uint noncePrefix, int maxTrackedSenders = 4096)
    {
        _keyring = keyring;
        _ciphers = CreateCiphers(keyring);
        _noncePrefix = noncePrefix;
        _replay = new ReplayWindow(maxTrackedSenders);
    }

    public int TrackedSenders => _replay.TrackedSenders;

    /// <summary>Swaps the keyring (a reload); the replay windows stay.</summary>
    public void UpdateKeyring(Keyring keyring)
    {
        var old = _ciphers;
        _keyring = keyring;
        _ciphers = CreateCiphers(keyring);
        foreach (var cipher in old)
        {
            cipher.Dispose();
        }
    }

    /// <summary>Seals <paramref name="plaintext"/> under the primary key into <paramref name="destination"/>; returns the datagram length.</summary>
    public int Seal(ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        var length = Overhead + plaintext.Length;
        var datagram = destination[..length];
        datagram[0] = WireFormat.Version;
        BinaryPrimitives.WriteUInt32BigEndian(datagram[1..], _keyring.KeyIds[0]);
        var nonce = datagram.Slice(5, NonceSize);
        BinaryPrimitives.WriteUInt32BigEndian(nonce, _noncePrefix);
        BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], ++_counter);
        _ciphers[0].Encrypt(nonce, plaintext, datagram.Slice(HeaderSize, plaintext.Length), datagram[^TagSize..], datagram[..5]);
        return length;
    }

    /// <summary>Authenticates, decrypts and replay-checks a datagram. Never throws.</summary>
    /// <param name="datagram">The received bytes.</param>
    /// <param name="sender">Where it came from (the replay window is per sender).</param>
    /// <param name="plaintext">Receives the plaintext; at least <c>datagram.Length - Overhead</c> bytes.</param>
    /// <param name="plaintextLength">The plaintext length on success.</param>
    public DropReason TryOpen(ReadOnlySpan<byte> datagram, IPEndPoint sender, Span<byte> plaintext, out int plaintextLength)
    {
        plaintextLength = 0;
        if (datagram.Length > WireFormat.MaxDatagramSize)
        {
            return DropReason.Oversized;
        }

        if (datagram.Length == 0)
        {
            return DropReason.Truncated;
        }

        if (datagram[0] != WireFormat.Version)
        {
            return DropReason.UnknownVersion;
        }

        if (datagram.Length < Overhead)
        {
            return DropReason.Truncated;
        }

        var keyId = BinaryPrimitives.ReadUInt32BigEndian(datagram[1..]);
        var keyIndex = -1;
        for (var i = 0; i < _keyring.KeyIds.Count; i++)
        {
            if (_keyring.KeyIds[i] == keyId)
            {
                keyIndex = i;
                break;
            }
        }

        if (keyIndex < 0)
        {
            return DropReason.UnknownKey;
        }

        var nonce = datagram.Slice(5, NonceSize);
        var prefix = BinaryPrimitives.ReadUInt32BigEndian(nonce);
        var counter = BinaryPrimitives.ReadUInt64BigEndian(nonce[4..]);
        if (_replay.IsReplay(sender, prefix, counter))
        {
            return DropReason.Replayed;
        }

        var length = datagram.Length - Overhead;
        try
        {
            _ciphers[keyIndex].Decrypt(nonce, datagram.Slice(HeaderSize, length), datagram[^TagSize..], plaintext[..length], datagram[..5]);
        }
        catch (AuthenticationTagMismatchException)
        {
            plaintext[..length].Clear();
            return DropReason.NotAuthenticated;
        }

        _replay.Accept(sender, prefix, counter);
        plaintextLength = length;
        return DropReason.None;
    }

    public void Dispose()
    {
        foreach (var cipher in _ciphers)
        {
            cipher.Dispose();
        }
    }

    private static AesGcm[] CreateCiphers(Keyring keyring)
    {
        var ciphers = new AesGcm[keyring.Count];
        for (var i = 0; i < ciphers.Length; i++)
        {
            ciphers[i] = new AesGcm(keyring.GetKey(i), TagSize);
        }

        return ciphers;
    }
}
