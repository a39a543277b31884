using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Vipd.Core.Wire;

namespace Vipd.Core.Election;

/// <summary>
/// The wire form of a <see cref="NodeRecord"/> (format 2), big-endian:
/// <code>
/// offset 0  u8      format version (2)
///        1  u32     record version
///        5  u8      flags: bit 0 maintenance, bit 1 draining (others reserved: written 0, ignored on read)
///        6  u64     VIP set digest: <see cref="NodeRecord.VipSetDigest"/>
///       14  u32     entry count n
///       18  n × 10  entries, VIP keys strictly ascending:
///                   u64 VIP key (<see cref="VipKey"/>), u8 priority, u8 flags (bit 0 eligible, bit 1 holding; others reserved)
/// </code>
/// There is no per-node VIP limit below <see cref="MaxVips"/> (26,213): a record larger than
/// <see cref="WireFormat.MaxMetadataBytes"/> is carried by the membership's metadata fragments. Format 1 (vipd 0.1:
/// 32-bit ids, 6-byte entries, at most 84) is still decoded, as a <see cref="NodeRecord.Legacy"/> record, so that a
/// rolling upgrade can see the old nodes' claims. Decoding never throws: garbage yields false and a reason.
/// </summary>
public static class NodeRecordCodec
{
    /// <summary>The largest encoded record: the membership's largest metadata.</summary>
    public const int MaxSize = WireFormat.MaxLargeMetadataBytes;

    /// <summary>The current format version (the first byte).</summary>
    public const byte FormatVersion = 2;

    /// <summary>Header bytes before the entries.</summary>
    public const int HeaderSize = 18;

    /// <summary>Bytes per VIP entry.</summary>
    public const int EntrySize = 10;

    /// <summary>The most VIP entries that fit in <see cref="MaxSize"/>.</summary>
    public const int MaxVips = (MaxSize - HeaderSize) / EntrySize;

    private const byte LegacyFormatVersion = 1;
    private const int LegacyHeaderSize = 8;
    private const int LegacyEntrySize = 6;
    private const int LegacyMaxSize = 512;
    private const byte FlagMaintenance = 1;
    private const byte FlagDraining = 2;
    private const byte FlagEligible = 1;
    private const byte FlagHolding = 2;

    /// <summary>The encoded size of a record with <paramref name="entries"/> VIP entries.</summary>
    public static int GetSize(int entries) => HeaderSize + (entries * EntrySize);

    /// <summary>Encodes <paramref name="record"/>; its entries are sorted here.</summary>
    /// <exception cref="ArgumentException">More than <see cref="MaxVips"/> entries, or a VIP key twice.</exception>
    public static byte[] Encode(NodeRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Vips.Count > MaxVips)
        {
            throw new ArgumentException($"A node record holds at most {MaxVips} VIPs, got {record.Vips.Count}.", nameof(record));
        }

        var entries = record.Vips.ToArray();
        Array.Sort(entries, static (a, b) => a.Key.CompareTo(b.Key));
        var bytes = new byte[GetSize(entries.Length)];
        bytes[0] = FormatVersion;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(1), record.Version);
        bytes[5] = (byte)((record.Maintenance ? FlagMaintenance : 0) | (record.Draining ? FlagDraining : 0));
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(6), record.VipSetDigest);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(14), (uint)entries.Length);
        for (var i = 0; i < entries.Length; i++)
        {
            if (i > 0 && entries[i].Key == entries[i - 1].Key)
            {
                throw new ArgumentException($"VIP key {entries[i].Key:x16} appears twice.", nameof(record));
            }

            var span = bytes.AsSpan(HeaderSize + (i * EntrySize), EntrySize);
            BinaryPrimitives.WriteUInt64BigEndian(span, entries[i].Key);
            span[8] = entries[i].Priority;
            span[9] = (byte)((entries[i].Eligible ? FlagEligible : 0) | (entries[i].Holding ? FlagHolding : 0));
        }

        return bytes;
    }

    /// <summary>Decodes a record; never throws.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, [NotNullWhen(true)] out NodeRecord? record) =>
        TryDecode(data, out record, out _);

    /// <summary>Decodes a record (format 2, or a legacy format 1); never throws. <paramref name="error"/> says why it failed.</summary>
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

        error = Validate(data, HeaderSize, EntrySize, MaxSize, out var count);
        if (error != NodeRecordError.None)
        {
            return false;
        }

        var entries = new NodeVipEntry[count];
        for (var i = 0; i < count; i++)
        {
            var span = data.Slice(HeaderSize + (i * EntrySize), EntrySize);
            entries[i] = new NodeVipEntry(BinaryPrimitives.ReadUInt64BigEndian(span), (span[9] & FlagEligible) != 0, span[8], (span[9] & FlagHolding) != 0);
        }

        record = new NodeRecord(BinaryPrimitives.ReadUInt32BigEndian(data[1..]), (data[5] & FlagMaintenance) != 0, (data[5] & FlagDraining) != 0, entries)
        {
            VipSetDigest = BinaryPrimitives.ReadUInt64BigEndian(data[6..]),
        };
        return true;
    }

    private static bool TryDecodeLegacy(ReadOnlySpan<byte> data, [NotNullWhen(true)] out NodeRecord? record, out NodeRecordError error)
    {
        record = null;
        error = Validate(data, LegacyHeaderSize, LegacyEntrySize, LegacyMaxSize, out var count);
        if (error != NodeRecordError.None)
        {
            return false;
        }

        var entries = new NodeVipEntry[count];
        for (var i = 0; i < count; i++)
        {
            var span = data.Slice(LegacyHeaderSize + (i * LegacyEntrySize), LegacyEntrySize);
            entries[i] = new NodeVipEntry(BinaryPrimitives.ReadUInt32BigEndian(span), (span[5] & FlagEligible) != 0, span[4], (span[5] & FlagHolding) != 0);
        }

        record = new NodeRecord(BinaryPrimitives.ReadUInt32BigEndian(data[1..]), (data[5] & FlagMaintenance) != 0, (data[5] & FlagDraining) != 0, entries)
        {
            Legacy = true,
        };
        return true;
    }

    private static NodeRecordError Validate(ReadOnlySpan<byte> data, int headerSize, int entrySize, int maxSize, out int count)
    {
        count = 0;
        var legacy = data[0] == LegacyFormatVersion;
        if (!legacy && data[0] != FormatVersion)
        {
            return NodeRecordError.UnknownVersion;
        }

        if (data.Length > maxSize)
        {
            return NodeRecordError.TooLarge;
        }

        if (data.Length < headerSize)
        {
            return NodeRecordError.Truncated;
        }

        var declared = legacy ? BinaryPrimitives.ReadUInt16BigEndian(data[6..]) : BinaryPrimitives.ReadUInt32BigEndian(data[14..]);
        if (declared > (uint)((maxSize - headerSize) / entrySize))
        {
            return NodeRecordError.TooLarge;
        }

        count = (int)declared;
        var size = headerSize + (count * entrySize);
        if (data.Length < size)
        {
            return NodeRecordError.Truncated;
        }

        if (data.Length > size)
        {
            return NodeRecordError.TrailingBytes;
        }

        for (var i = 1; i < count; i++)
        {
            var previous = ReadKey(data[(headerSize + ((i - 1) * entrySize))..], legacy);
            var current = ReadKey(data[(headerSize + (i * entrySize))..], legacy);
            if (current <= previous)
            {
                return NodeRecordError.Unsorted;
            }
        }

        return NodeRecordError.None;
    }

    private static ulong ReadKey(ReadOnlySpan<byte> entry, bool legacy) =>
        legacy ? BinaryPrimitives.ReadUInt32BigEndian(entry) : BinaryPrimitives.ReadUInt64BigEndian(entry);
}
