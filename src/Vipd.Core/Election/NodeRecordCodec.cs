using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Vipd.Core.Wire;

namespace Vipd.Core.Election;

/// <summary>
/// The wire form of a <see cref="NodeRecord"/> (format 4), big-endian:
/// <code>
/// offset 0  u8      format version (4)
///        1  u32     record version
///        5  u8      flags: bit 0 maintenance, bit 1 draining, bit 2 entries section present (an explicit record);
///                   others reserved: written 0, ignored on read
///        6  u64     VIP set digest: <see cref="NodeRecord.VipSetDigest"/>
///       14  u64     standing digest: <see cref="NodeRecord.StandingDigest"/> (0: none)
///       22  u16     verdict count v
///       24  v × 10  verdicts, (kind, key) strictly ascending: u8 kind (1 check, 2 link, 3 bgp), u32 name key, u8 state, i32 value
///           u32     claim count c
///           c × 12  claims: u64 VIP key, strictly ascending; u32 takeover epoch (<see cref="NodeVipEntry.Epoch"/>)
///   when bit 2:
///           u32     entry count n
///           n × 10  entries, keys strictly ascending: u64 VIP key, u8 priority, u8 flags (bit 0 eligible; others reserved);
///                   every claim has an entry
/// </code>
/// A lean record (no entries section) stays near <see cref="HeaderSize"/> + 10 bytes a verdict + 12 bytes a claim,
/// whatever the VIP count. Claims are never dropped: every claim is in the record, and a record larger than
/// <see cref="WireFormat.MaxMetadataBytes"/> is carried by the membership's metadata fragments (up to
/// <see cref="MaxSize"/>). Format 1 (vipd 0.1: 32-bit ids, 6-byte entries, at most 84) is still decoded, as a
/// <see cref="NodeRecord.Legacy"/> record, so that a rolling upgrade can see the old nodes' claims. Format 2 (never
/// released) is not decoded, nor is format 3 (never released: format 4 with 8-byte claims, without epochs). Decoding never throws: garbage yields false and a reason.
/// </summary>
public static class NodeRecordCodec
{
    /// <summary>The largest encoded record: the membership's largest metadata.</summary>
    public const int MaxSize = WireFormat.MaxLargeMetadataBytes;

    /// <summary>The current format version (the first byte).</summary>
    public const byte FormatVersion = 4;

    /// <summary>Header bytes before the verdicts.</summary>
    public const int HeaderSize = 24;

    /// <summary>Bytes per verdict.</summary>
    public const int VerdictSize = 10;

    /// <summary>Bytes per claim.</summary>
    public const int ClaimSize = 12;

    /// <summary>Bytes per entry of an explicit record.</summary>
    public const int EntrySize = 10;

    /// <summary>The most VIPs an explicit record can list when the node also claims each of them (worst case).</summary>
    public const int MaxVips = (MaxSize - HeaderSize - 8) / (EntrySize + ClaimSize);

    private const byte LegacyFormatVersion = 1;
    private const int LegacyHeaderSize = 8;
    private const int LegacyEntrySize = 6;
    private const int LegacyMaxSize = 512;
    private const byte FlagMaintenance = 1;
    private const byte FlagDraining = 2;
    private const byte FlagEntries = 4;
    private const byte FlagEligible = 1;
    private const byte FlagHolding = 2;

    /// <summary>The encoded size of a lean record with <paramref name="verdicts"/> verdicts and <paramref name="claims"/> claims.</summary>
    public static int GetLeanSize(int verdicts, int claims) => HeaderSize + (verdicts * VerdictSize) + 4 + (claims * ClaimSize);

    /// <summary>
    /// Encodes <paramref name="record"/>; its entries and verdicts are sorted here. A lean record writes only the keys
    /// of the entries that hold (the claims); an explicit one writes every entry, and the holding ones as claims too.
    /// </summary>
    /// <exception cref="ArgumentException">Larger than <see cref="MaxSize"/>, or a VIP key or verdict twice.</exception>
    public static byte[] Encode(NodeRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var entries = record.Vips.ToArray();
        Array.Sort(entries, static (a, b) => a.Key.CompareTo(b.Key));
        for (var i = 1; i < entries.Length; i++)
        {
            if (entries[i].Key == entries[i - 1].Key)
            {
                throw new ArgumentException($"VIP key {entries[i].Key:x16} appears twice.", nameof(record));
            }
        }

        var verdicts = record.Verdicts.ToArray();
        Array.Sort(verdicts, static (a, b) => CompareVerdicts(a.Kind, a.Key, b.Kind, b.Key));
        for (var i = 1; i < verdicts.Length; i++)
        {
            if (CompareVerdicts(verdicts[i - 1].Kind, verdicts[i - 1].Key, verdicts[i].Kind, verdicts[i].Key) == 0)
            {
                throw new ArgumentException($"Verdict {verdicts[i].Kind} {verdicts[i].Key:x8} appears twice.", nameof(record));
            }
        }

        if (verdicts.Length > ushort.MaxValue)
        {
            throw new ArgumentException($"A node record holds at most {ushort.MaxValue} verdicts.", nameof(record));
        }

        var claims = entries.Count(e => e.Holding);
        var listed = record.Lean ? 0 : entries.Length;
        var size = (long)GetLeanSize(verdicts.Length, claims) + (record.Lean ? 0 : 4 + ((long)listed * EntrySize));
        if (size > MaxSize)
        {
            throw new ArgumentException($"A node record is at most {MaxSize} bytes, this one would be {size}.", nameof(record));
        }

        var bytes = new byte[size];
        bytes[0] = FormatVersion;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(1), record.Version);
        bytes[5] = (byte)((record.Maintenance ? FlagMaintenance : 0) | (record.Draining ? FlagDraining : 0) | (record.Lean ? 0 : FlagEntries));
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(6), record.VipSetDigest);
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(14), record.StandingDigest);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(22), (ushort)verdicts.Length);
        var offset = HeaderSize;
        foreach (var verdict in verdicts)
        {
            var span = bytes.AsSpan(offset, VerdictSize);
            span[0] = (byte)verdict.Kind;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], verdict.Key);
            span[5] = verdict.State;
            BinaryPrimitives.WriteInt32BigEndian(span[6..], verdict.Value);
            offset += VerdictSize;
        }

        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(offset), (uint)claims);
        offset += 4;
        foreach (var entry in entries)
        {
            if (entry.Holding)
            {
                BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(offset), entry.Key);
                BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(offset + 8), entry.Epoch);
                offset += ClaimSize;
            }
        }

        if (!record.Lean)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(offset), (uint)listed);
            offset += 4;
            foreach (var entry in entries)
            {
                var span = bytes.AsSpan(offset, EntrySize);
                BinaryPrimitives.WriteUInt64BigEndian(span, entry.Key);
                span[8] = entry.Priority;
                span[9] = entry.Eligible ? FlagEligible : (byte)0;
                offset += EntrySize;
            }
        }

        return bytes;
    }

    /// <summary>Decodes a record; never throws.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, [NotNullWhen(true)] out NodeRecord? record) =>
        TryDecode(data, out record, out _);

    /// <summary>Decodes a record (format 4, or a legacy format 1); never throws. <paramref name="error"/> says why it failed.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, [NotNullWhen(true)] out NodeRecord? record, out NodeRecordError error)
    {
        record = null;
        if (data.IsEmpty)
        {
            error = NodeRecordError.Empty;
            return false;
        }

        if (data[0] == LegacyFormatVersion)
        {
            return TryDecodeLegacy(data, out record, out error);
        }

        if (data[0] != FormatVersion)
        {
            error = NodeRecordError.UnknownVersion;
            return false;
        }

        if (data.Length > MaxSize)
        {
            error = NodeRecordError.TooLarge;
            return false;
        }

        if (data.Length < HeaderSize + 4)
        {
            error = NodeRecordError.Truncated;
            return false;
        }

        var flags = data[5];
        var verdictCount = BinaryPrimitives.ReadUInt16BigEndian(data[22..]);
        var offset = HeaderSize;
        if (data.Length - offset < (verdictCount * VerdictSize) + 4)
        {
            error = NodeRecordError.Truncated;
            return false;
        }

        var verdicts = new NodeVerdict[verdictCount];
        for (var i = 0; i < verdictCount; i++)
        {
            var span = data.Slice(offset, VerdictSize);
            verdicts[i] = new NodeVerdict((NodeVerdictKind)span[0], BinaryPrimitives.ReadUInt32BigEndian(span[1..]), span[5], BinaryPrimitives.ReadInt32BigEndian(span[6..]));
            if (i > 0 && CompareVerdicts(verdicts[i - 1].Kind, verdicts[i - 1].Key, verdicts[i].Kind, verdicts[i].Key) >= 0)
            {
                error = NodeRecordError.Unsorted;
                return false;
            }

            offset += VerdictSize;
        }

        var claimsOffset = offset + 4;
        if (!TryReadKeys(data, ref offset, ClaimSize, out var claims, out error))
        {
            return false;
        }

        var epochs = new uint[claims.Length];
        for (var i = 0; i < epochs.Length; i++)
        {
            epochs[i] = BinaryPrimitives.ReadUInt32BigEndian(data[(claimsOffset + (i * ClaimSize) + 8)..]);
        }

        NodeVipEntry[] vips;
        var lean = (flags & FlagEntries) == 0;
        if (lean)
        {
            vips = new NodeVipEntry[claims.Length];
            for (var i = 0; i < claims.Length; i++)
            {
                vips[i] = new NodeVipEntry(claims[i], false, 0, true, epochs[i]);
            }
        }
        else
        {
            var start = offset;
            if (!TryReadKeys(data, ref offset, EntrySize, out var keys, out error))
            {
                return false;
            }

            if (Merge(data, start + 4, keys, claims, epochs) is not { } merged)
            {
                error = NodeRecordError.UnlistedClaim;
                return false;
            }

            vips = merged;
        }

        if (offset != data.Length)
        {
            error = NodeRecordError.TrailingBytes;
            return false;
        }

        record = new NodeRecord(BinaryPrimitives.ReadUInt32BigEndian(data[1..]), (flags & FlagMaintenance) != 0, (flags & FlagDraining) != 0, vips)
        {
            VipSetDigest = BinaryPrimitives.ReadUInt64BigEndian(data[6..]),
            StandingDigest = BinaryPrimitives.ReadUInt64BigEndian(data[14..]),
            Verdicts = verdicts,
            Lean = lean,
        };
        error = NodeRecordError.None;
        return true;
    }

    /// <summary>Reads <c>u32 n, n × size</c> items whose first 8 bytes are strictly ascending keys; advances <paramref name="offset"/>.</summary>
    private static bool TryReadKeys(ReadOnlySpan<byte> data, ref int offset, int size, out ulong[] keys, out NodeRecordError error)
    {
        keys = [];
        if (data.Length - offset < 4)
        {
            error = NodeRecordError.Truncated;
            return false;
        }

        var count = BinaryPrimitives.ReadUInt32BigEndian(data[offset..]);
        offset += 4;
        if (count > (uint)(MaxSize / size))
        {
            error = NodeRecordError.TooLarge;
            return false;
        }

        if ((long)data.Length - offset < (long)count * size)
        {
            error = NodeRecordError.Truncated;
            return false;
        }

        keys = new ulong[count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = BinaryPrimitives.ReadUInt64BigEndian(data[offset..]);
            if (i > 0 && keys[i] <= keys[i - 1])
            {
                error = NodeRecordError.Unsorted;
                return false;
            }

            offset += size;
        }

        error = NodeRecordError.None;
        return true;
    }

    /// <summary>The entries of an explicit record with the claims merged in; null when a claim has no entry (an encoder lists every claim).</summary>
    private static NodeVipEntry[]? Merge(ReadOnlySpan<byte> data, int entriesOffset, ulong[] keys, ulong[] claims, uint[] epochs)
    {
        var merged = new NodeVipEntry[keys.Length];
        var c = 0;
        for (var e = 0; e < keys.Length; e++)
        {
            var span = data.Slice(entriesOffset + (e * EntrySize), EntrySize);
            if (c < claims.Length && claims[c] < keys[e])
            {
                return null;
            }

            var holding = c < claims.Length && claims[c] == keys[e];
            var epoch = holding ? epochs[c] : 0;
            if (holding)
            {
                c++;
            }

            merged[e] = new NodeVipEntry(keys[e], (span[9] & FlagEligible) != 0, span[8], holding, epoch);
        }

        return c == claims.Length ? merged : null;
    }

    private static int CompareVerdicts(NodeVerdictKind kindA, uint keyA, NodeVerdictKind kindB, uint keyB) =>
        kindA != kindB ? kindA.CompareTo(kindB) : keyA.CompareTo(keyB);

    private static bool TryDecodeLegacy(ReadOnlySpan<byte> data, [NotNullWhen(true)] out NodeRecord? record, out NodeRecordError error)
    {
        record = null;
        if (data.Length > LegacyMaxSize)
        {
            error = NodeRecordError.TooLarge;
            return false;
        }

        if (data.Length < LegacyHeaderSize)
        {
            error = NodeRecordError.Truncated;
            return false;
        }

        var count = BinaryPrimitives.ReadUInt16BigEndian(data[6..]);
        if (count > (LegacyMaxSize - LegacyHeaderSize) / LegacyEntrySize)
        {
            error = NodeRecordError.TooLarge;
            return false;
        }

        var size = LegacyHeaderSize + (count * LegacyEntrySize);
        if (data.Length < size)
        {
            error = NodeRecordError.Truncated;
            return false;
        }

        if (data.Length > size)
        {
            error = NodeRecordError.TrailingBytes;
            return false;
        }

        var entries = new NodeVipEntry[count];
        for (var i = 0; i < count; i++)
        {
            var span = data.Slice(LegacyHeaderSize + (i * LegacyEntrySize), LegacyEntrySize);
            entries[i] = new NodeVipEntry(BinaryPrimitives.ReadUInt32BigEndian(span), (span[5] & FlagEligible) != 0, span[4], (span[5] & FlagHolding) != 0);
            if (i > 0 && entries[i].Key <= entries[i - 1].Key)
            {
                error = NodeRecordError.Unsorted;
                return false;
            }
        }

        record = new NodeRecord(BinaryPrimitives.ReadUInt32BigEndian(data[1..]), (data[5] & FlagMaintenance) != 0, (data[5] & FlagDraining) != 0, entries)
        {
            Legacy = true,
        };
        error = NodeRecordError.None;
        return true;
    }
}
