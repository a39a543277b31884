using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Vipd.Core.Election;

/// <summary>
/// The wire form of a <see cref="NodeRecord"/>, at most <see cref="MaxSize"/> bytes (memberlist's metadata limit):
/// <code>
/// offset 0  u8      format version (1)
///        1  u32 BE  record version
///        5  u8      flags: bit 0 maintenance, bit 1 draining (others reserved: written 0, ignored on read)
///        6  u16 BE  entry count n
///        8  n × 6   entries, VIP ids strictly ascending:
///                   u32 BE VIP id, u8 priority, u8 flags (bit 0 eligible, bit 1 holding; others reserved)
/// </code>
/// Only VIPs a node is eligible for or holds are listed, so <see cref="MaxVips"/> = (512 − 8) / 6 = 84 VIPs per
/// node can be eligible or held at once. Decoding never throws: garbage yields false and a reason.
/// </summary>
public static class NodeRecordCodec
{
    /// <summary>The largest encoded record.</summary>
    public const int MaxSize = 512;

    /// <summary>The current format version (the first byte).</summary>
    public const byte FormatVersion = 1;

    /// <summary>Header bytes before the entries.</summary>
    public const int HeaderSize = 8;

    /// <summary>Bytes per VIP entry.</summary>
    public const int EntrySize = 6;

    /// <summary>The most VIP entries that fit in <see cref="MaxSize"/>: 84.</summary>
    public const int MaxVips = (MaxSize - HeaderSize) / EntrySize;

    private const byte FlagMaintenance = 1;
    private const byte FlagDraining = 2;
    private const byte FlagEligible = 1;
    private const byte FlagHolding = 2;

    /// <summary>The encoded size of a record with <paramref name="entries"/> VIP entries.</summary>
    public static int GetSize(int entries) => HeaderSize + (entries * EntrySize);

    /// <summary>Encodes <paramref name="record"/>; its entries are sorted here.</summary>
    /// <exception cref="ArgumentException">More than <see cref="MaxVips"/> entries, or a VIP id twice.</exception>
    public static byte[] Encode(NodeRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Vips.Count > MaxVips)
        {
            throw new ArgumentException($"A node record holds at most {MaxVips} VIPs, got {record.Vips.Count}.", nameof(record));
        }

        var entries = record.Vips.ToArray();
        Array.Sort(entries, static (a, b) => a.VipId.CompareTo(b.VipId));
        var bytes = new byte[GetSize(entries.Length)];
        bytes[0] = FormatVersion;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(1), record.Version);
        bytes[5] = (byte)((record.Maintenance ? FlagMaintenance : 0) | (record.Draining ? FlagDraining : 0));
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(6), (ushort)entries.Length);
        for (var i = 0; i < entries.Length; i++)
        {
            if (i > 0 && entries[i].VipId == entries[i - 1].VipId)
            {
                throw new ArgumentException($"VIP id {entries[i].VipId:x8} appears twice.", nameof(record));
            }

            var span = bytes.AsSpan(HeaderSize + (i * EntrySize), EntrySize);
            BinaryPrimitives.WriteUInt32BigEndian(span, entries[i].VipId);
            span[4] = entries[i].Priority;
            span[5] = (byte)((entries[i].Eligible ? FlagEligible : 0) | (entries[i].Holding ? FlagHolding : 0));
        }

        return bytes;
    }

    /// <summary>Decodes a record; never throws.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, [NotNullWhen(true)] out NodeRecord? record) =>
        TryDecode(data, out record, out _);

    /// <summary>Decodes a record; never throws. <paramref name="error"/> says why it failed.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, [NotNullWhen(true)] out NodeRecord? record, out NodeRecordError error)
    {
        record = null;
        error = Validate(data, out var count);
        if (error != NodeRecordError.None)
        {
            return false;
        }

        var entries = new NodeVipEntry[count];
        for (var i = 0; i < count; i++)
        {
            var span = data.Slice(HeaderSize + (i * EntrySize), EntrySize);
            entries[i] = new NodeVipEntry(
                BinaryPrimitives.ReadUInt32BigEndian(span),
                (span[5] & FlagEligible) != 0,
                span[4],
                (span[5] & FlagHolding) != 0);
        }

        record = new NodeRecord(
            BinaryPrimitives.ReadUInt32BigEndian(data[1..]),
            (data[5] & FlagMaintenance) != 0,
            (data[5] & FlagDraining) != 0,
            entries);
        return true;
    }

    private static NodeRecordError Validate(ReadOnlySpan<byte> data, out int count)
    {
        count = 0;
        if (data.IsEmpty)
        {
            return NodeRecordError.Empty;
        }

        if (data[0] != FormatVersion)
        {
            return NodeRecordError.UnknownVersion;
        }

        if (data.Length > MaxSize)
        {
            return NodeRecordError.TooLarge;
        }

        if (data.Length < HeaderSize)
        {
            return NodeRecordError.Truncated;
        }

        count = BinaryPrimitives.ReadUInt16BigEndian(data[6..]);
        if (count > MaxVips)
        {
            return NodeRecordError.TooLarge;
        }

        var size = GetSize(count);
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
            var previous = BinaryPrimitives.ReadUInt32BigEndian(data[(HeaderSize + ((i - 1) * EntrySize))..]);
            var current = BinaryPrimitives.ReadUInt32BigEndian(data[(HeaderSize + (i * EntrySize))..]);
            if (current <= previous)
            {
                return NodeRecordError.Unsorted;
            }
        }

        return NodeRecordError.None;
    }
}
