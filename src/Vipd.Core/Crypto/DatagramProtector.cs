using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Vipd.Core.Wire;

namespace Vipd.Core.Crypto;

/// <summary>
/// Seals and opens datagrams (format 2): <c>[version u8][key id u8][nonce 12: sender boot id u64, counter u32][ciphertext][tag 16]</c>,
/// AES-256-GCM, with the version byte and key id as associated data. The sealed plaintext starts with an identity header
/// <c>[u64 recipient id][name sender]</c>, then the message frames: the sender's name and the intended recipient are
/// authenticated and secret; the sender's boot id is the nonce's first 8 bytes, so it is authenticated too (a changed
/// nonce fails the tag) without being repeated inside. A nonce never repeats under one key: a boot id holds its boot time
/// in milliseconds and 22 random bits, the counter starts at random below 2^31 and, before it would wrap, the process
/// moves to a new, later boot id. Opening tries the keys whose 1-byte id matches, then checks the recipient, then the
/// replay window of the authenticated sender (name and boot, never the UDP source).
/// Not thread-safe: the membership calls it under its lock.
/// </summary>
internal sealed class DatagramProtector : IDisposable
{
    /// <summary>Version, key id and nonce.</summary>
    public const int HeaderSize = 1 + 1 + NonceSize;

    /// <summary>Bytes the encryption adds to its plaintext (header and tag); the identity header comes on top (<see cref="SealedOverhead"/>).</summary>
    public const int Overhead = HeaderSize + TagSize;

    /// <summary>The recipient id of a datagram for whoever listens at an address (a seed whose name is not known yet).</summary>
    public const ulong AnyRecipient = 0;

    /// <summary>Random low bits of a boot id; the boot time in Unix milliseconds is above them (42 bits: until 2109).</summary>
    public const int BootRandomBits = 22;

    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int AssociatedSize = 2;

    private readonly ReplayWindow _replay;
    private readonly byte[] _localNameBytes;
    private readonly ulong _localRecipientId;
    private readonly byte[] _scratch = new byte[WireFormat.MaxDatagramSize];
    private readonly TimeProvider _time;
    private readonly List<ulong> _ownBootIds = [];
    private Keyring _keyring;
    private AesGcm[] _ciphers;
    private uint _counter;

    /// <param name="keyring">Seal with the primary, open with any key.</param>
    /// <param name="localName">This node's name: the sender of what it seals, the recipient it accepts.</param>
    /// <param name="bootId">This process's boot id (<see cref="NewBootId"/>): the first 8 bytes of every nonce it seals.</param>
    /// <param name="time">Clock of the replay windows (how long a newer boot has been silent) and of a new boot id.</param>
    /// <param name="maxTrackedSenders">Bound of the replay windows.</param>
    /// <param name="initialCounter">
    /// Random per process (below 2^31): two processes that drew the same boot id (same millisecond, same 22 random bits)
    /// would also need overlapping counter ranges to repeat a nonce.
    /// </param>
    /// <param name="bootSilence">How long a sender's newest boot must be silent before an older boot is accepted again.</param>
    public DatagramProtector(Keyring keyring, string localName, ulong bootId, TimeProvider time,
        int maxTrackedSenders = 4096, uint initialCounter = 0, TimeSpan? bootSilence = null)
    {
        ArgumentNullException.ThrowIfNull(localName);
        ArgumentNullException.ThrowIfNull(time);
        if (!WireFormat.IsValidName(localName))
        {
            throw new ArgumentException("A node name is 1 to 128 printable ASCII characters.", nameof(localName));
        }

        _keyring = keyring;
        _ciphers = CreateCiphers(keyring);
        _counter = initialCounter;
        _localNameBytes = Encoding.ASCII.GetBytes(localName);
        _localRecipientId = RecipientId(localName);
        _time = time;
        LocalName = localName;
        BootId = bootId;
        _ownBootIds.Add(bootId);
        _replay = new ReplayWindow(maxTrackedSenders, time, bootSilence ?? TimeSpan.FromSeconds(30));
    }

    /// <summary>A protector with a random counter start and boot id, for a new process.</summary>
    public static DatagramProtector CreateRandom(Keyring keyring, string localName, TimeProvider time, int maxTrackedSenders, TimeSpan bootSilence) =>
        new(keyring, localName, NewBootId(time), time, maxTrackedSenders, (uint)RandomNumberGenerator.GetInt32(0, int.MaxValue), bootSilence);

    /// <summary>A boot id: the boot time in Unix milliseconds in the high 42 bits, <see cref="BootRandomBits"/> random bits below.</summary>
    public static ulong NewBootId(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var ms = (ulong)Math.Max(0, time.GetUtcNow().ToUnixTimeMilliseconds());
        return (ms << BootRandomBits) | (uint)RandomNumberGenerator.GetInt32(0, 1 << BootRandomBits);
    }

    /// <summary>The boot time part of a boot id (orders the boots of one sender).</summary>
    public static ulong BootTime(ulong bootId) => bootId >> BootRandomBits;

    /// <summary>A node's recipient id: the first 8 bytes of SHA-256 of its name (never <see cref="AnyRecipient"/>).</summary>
    public static ulong RecipientId(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), hash);
        var id = BinaryPrimitives.ReadUInt64BigEndian(hash);
        return id == AnyRecipient ? 1 : id;
    }

    /// <summary>Bytes of the identity header of a sender named <paramref name="name"/>.</summary>
    public static int IdentitySize(string name) => 8 + SpanWriter.NameSize(name);

    /// <summary>Bytes a datagram sealed by this protector adds to its frames.</summary>
    public int SealedOverhead => Overhead + 8 + 1 + _localNameBytes.Length;

    public string LocalName { get; }

    /// <summary>The boot id this process seals under now (a new, later one after 2^32 datagrams: the counter never wraps).</summary>
    public ulong BootId { get; private set; }

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

    /// <summary>
    /// Seals <paramref name="frames"/> for <paramref name="recipient"/> (<see cref="RecipientId"/>, or
    /// <see cref="AnyRecipient"/>) under the primary key into <paramref name="destination"/>; returns the datagram length.
    /// </summary>
    public int Seal(ReadOnlySpan<byte> frames, ulong recipient, Span<byte> destination)
    {
        var identity = 8 + 1 + _localNameBytes.Length;
        var plaintextLength = identity + frames.Length;
        var plaintext = _scratch.AsSpan(0, plaintextLength);
        BinaryPrimitives.WriteUInt64BigEndian(plaintext, recipient);
        plaintext[8] = (byte)_localNameBytes.Length;
        _localNameBytes.CopyTo(plaintext[9..]);
        frames.CopyTo(plaintext[identity..]);

        if (_counter == uint.MaxValue)
        {
            NextBoot();
        }

        var length = Overhead + plaintextLength;
        var datagram = destination[..length];
        datagram[0] = WireFormat.Version;
        datagram[1] = _keyring.KeyIds[0];
        var nonce = datagram.Slice(AssociatedSize, NonceSize);
        BinaryPrimitives.WriteUInt64BigEndian(nonce, BootId);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[8..], ++_counter);
        _ciphers[0].Encrypt(nonce, plaintext, datagram.Slice(HeaderSize, plaintextLength), datagram[^TagSize..], datagram[..AssociatedSize]);
        return length;
    }

    /// <summary>Authenticates, decrypts, checks the recipient and replay-checks a datagram. Never throws.</summary>
    /// <param name="datagram">The received bytes.</param>
    /// <param name="plaintext">Receives the plaintext; at least <c>datagram.Length - Overhead</c> bytes.</param>
    /// <param name="opened">On success: the authenticated sender and where the frames are in <paramref name="plaintext"/>.</param>
    public DropReason TryOpen(ReadOnlySpan<byte> datagram, Span<byte> plaintext, out OpenedDatagram opened)
    {
        opened = default;
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
            return datagram[0] == WireFormat.LegacyVersion ? DropReason.LegacyVersion : DropReason.UnknownVersion;
        }

        if (datagram.Length < Overhead)
        {
            return DropReason.Truncated;
        }

        // A 1-byte key id may name more than one key of the ring: try each that it names.
        var keyId = datagram[1];
        var nonce = datagram.Slice(AssociatedSize, NonceSize);
        var bootId = BinaryPrimitives.ReadUInt64BigEndian(nonce);
        var counter = BinaryPrimitives.ReadUInt32BigEndian(nonce[8..]);
        var length = datagram.Length - Overhead;
        var named = false;
        var authenticated = false;
        for (var i = 0; i < _keyring.KeyIds.Count && !authenticated; i++)
        {
            if (_keyring.KeyIds[i] != keyId)
            {
                continue;
            }

            named = true;
            try
            {
                _ciphers[i].Decrypt(nonce, datagram.Slice(HeaderSize, length), datagram[^TagSize..], plaintext[..length], datagram[..AssociatedSize]);
                authenticated = true;
            }
            catch (AuthenticationTagMismatchException)
            {
                plaintext[..length].Clear();
            }
        }

        if (!named)
        {
            return DropReason.UnknownKey;
        }

        if (!authenticated)
        {
            return DropReason.NotAuthenticated;
        }

        var reader = new SpanReader(plaintext[..length]);
        if (!reader.TryReadUInt64(out var recipient))
        {
            return DropReason.Truncated;
        }

        if (!reader.TryReadName(out var sender))
        {
            return reader.NameRejected ? DropReason.BadName : DropReason.Malformed;
        }

        if (recipient != AnyRecipient && recipient != _localRecipientId)
        {
            return DropReason.WrongRecipient;
        }

        if (_ownBootIds.Contains(bootId) && string.Equals(sender, LocalName, StringComparison.Ordinal))
        {
            // This process's own datagram sent back to it.
            return DropReason.Replayed;
        }

        var replay = _replay.Accept(sender, bootId, counter);
        if (replay != DropReason.None)
        {
            return replay;
        }

        var offset = length - reader.Remaining;
        opened = new OpenedDatagram(sender, bootId, recipient == AnyRecipient, offset, reader.Remaining);
        return DropReason.None;
    }

    /// <summary>
    /// Moves to a new boot id before the 32-bit counter would wrap: a later boot time (at least 1 ms after the current
    /// one, whatever the clock says), so receivers take it as a restart and open a fresh replay window.
    /// </summary>
    private void NextBoot()
    {
        var next = NewBootId(_time);
        if (BootTime(next) <= BootTime(BootId))
        {
            next = ((BootTime(BootId) + 1) << BootRandomBits) | (next & ((1UL << BootRandomBits) - 1));
        }

        BootId = next;
        _ownBootIds.Add(next);
        _counter = 0;
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

/// <summary>An opened datagram: its authenticated sender, and where its frames are in the plaintext.</summary>
/// <param name="Sender">The sender's node name.</param>
/// <param name="BootId">The sender process's boot id.</param>
/// <param name="ToAnyone">Sealed for <see cref="DatagramProtector.AnyRecipient"/> (a join to a seed), not for this node by name.</param>
/// <param name="FramesOffset">Where the message frames start.</param>
/// <param name="FramesLength">Their length.</param>
internal readonly record struct OpenedDatagram(string Sender, ulong BootId, bool ToAnyone, int FramesOffset, int FramesLength);
