using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Vipd.Core.Wire;

namespace Vipd.Core.Intents;

/// <summary>
/// The binary value of a replicated entry, big-endian: a source's VIP set <c>[count u16][vip]*</c> (sorted by name,
/// names unique) or a preference's node name. Decoding never throws, re-validates every VIP with the API's rules and
/// accepts only the canonical encoding (so equal sets have equal bytes).
/// </summary>
internal static class IntentCodec
{
    public static byte[] EncodeVips(IReadOnlyList<DynamicVip> vips)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + (vips.Count * 48));
        WriteUInt16(buffer, (ushort)vips.Count);
        foreach (var vip in vips)
        {
            WriteName(buffer, vip.Name);
            var family = vip.Address.AddressFamily == AddressFamily.InterNetwork;
            WriteByte(buffer, family ? (byte)4 : (byte)6);
            var span = buffer.GetSpan(16);
            _ = vip.Address.TryWriteBytes(span, out var written);
            buffer.Advance(written);
            WriteByte(buffer, (byte)vip.PrefixLength);
            if (vip.Interface is null)
            {
                WriteByte(buffer, 0);
            }
            else
            {
                WriteName(buffer, vip.Interface);
            }

            WriteUInt16(buffer, (ushort)vip.AllowedNodes.Count);
            foreach (var node in vip.AllowedNodes)
            {
                WriteName(buffer, node);
            }

            WriteByte(buffer, vip.Preempt ? (byte)1 : (byte)0);
            WriteUInt32(buffer, (uint)vip.PreemptDelay.TotalMilliseconds);
            WriteByte(buffer, (byte)vip.Priority);
            WriteUInt16(buffer, (ushort)vip.Priorities.Count);
            foreach (var entry in vip.Priorities)
            {
                WriteName(buffer, entry.Node);
                WriteByte(buffer, (byte)entry.Priority);
            }
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static bool TryDecodeVips(ReadOnlySpan<byte> value, out IReadOnlyList<DynamicVip> vips)
    {
        vips = [];
        var reader = new SpanReader(value);
        if (!reader.TryReadUInt16(out var count) || count > IntentValidation.MaxVipsPerSource)
        {
            return false;
        }

        var list = new List<DynamicVip>(count);
        for (var i = 0; i < count; i++)
        {
            if (!TryReadVip(ref reader, out var vip)
                || (list.Count > 0 && string.CompareOrdinal(list[^1].Name, vip.Name) >= 0))
            {
                return false;
            }

            list.Add(vip);
        }

        if (reader.Remaining != 0 || !value.SequenceEqual(EncodeVips(list)))
        {
            return false;
        }

        vips = list;
        return true;
    }

    public static byte[] EncodeNode(string node)
    {
        var bytes = new byte[1 + Encoding.UTF8.GetByteCount(node)];
        bytes[0] = (byte)(bytes.Length - 1);
        Encoding.UTF8.GetBytes(node, bytes.AsSpan(1));
        return bytes;
    }

    public static bool TryDecodeNode(ReadOnlySpan<byte> value, out string node)
    {
        var reader = new SpanReader(value);
        return reader.TryReadName(out node) && reader.Remaining == 0 && IntentValidation.NodeError(node) is null;
    }

    private static bool TryReadVip(ref SpanReader reader, out DynamicVip vip)
    {
        vip = null!;
        if (!reader.TryReadName(out var name) || !reader.TryReadByte(out var family))
        {
            return false;
        }

        var length = family switch { 4 => 4, 6 => 16, _ => -1 };
        if (length < 0 || !reader.TryReadBytes(length, out var addressBytes) || !reader.TryReadByte(out var prefix)
            || !reader.TryReadByte(out var ifaceLength))
        {
            return false;
        }

        string? iface = null;
        if (ifaceLength > 0)
        {
            if (!reader.TryReadBytes(ifaceLength, out var ifaceBytes) || !System.Text.Unicode.Utf8.IsValid(ifaceBytes))
            {
                return false;
            }

            iface = Encoding.UTF8.GetString(ifaceBytes);
        }

        if (!reader.TryReadUInt16(out var allowedCount))
        {
            return false;
        }

        var allowed = new List<string>(Math.Min((int)allowedCount, 256));
        for (var i = 0; i < allowedCount; i++)
        {
            if (!reader.TryReadName(out var node) || (allowed.Count > 0 && string.CompareOrdinal(allowed[^1], node) >= 0))
            {
                return false;
            }

            allowed.Add(node);
        }

        if (!reader.TryReadByte(out var preempt) || preempt > 1 || !reader.TryReadUInt32(out var delayMs)
            || !reader.TryReadByte(out var priority) || !reader.TryReadUInt16(out var prioritiesCount))
        {
            return false;
        }

        var priorities = new List<KeyValuePair<string, uint>>(Math.Min((int)prioritiesCount, 256));
        for (var i = 0; i < prioritiesCount; i++)
        {
            if (!reader.TryReadName(out var node) || !reader.TryReadByte(out var p)
                || (priorities.Count > 0 && string.CompareOrdinal(priorities[^1].Key, node) >= 0))
            {
                return false;
            }

            priorities.Add(new(node, p));
        }

        var address = new IPAddress(addressBytes);
        var cidr = $"{address}/{prefix}";
        if (priority == 0 || !IntentValidation.TryCreateVip(name, cidr, iface, allowed, preempt == 1, TimeSpan.FromMilliseconds(delayMs),
            priority, priorities, out var created, out _))
        {
            return false;
        }

        vip = created!;
        return true;
    }

    private static void WriteByte(ArrayBufferWriter<byte> buffer, byte value)
    {
        buffer.GetSpan(1)[0] = value;
        buffer.Advance(1);
    }

    private static void WriteUInt16(ArrayBufferWriter<byte> buffer, ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(buffer.GetSpan(2), value);
        buffer.Advance(2);
    }

    private static void WriteUInt32(ArrayBufferWriter<byte> buffer, uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(buffer.GetSpan(4), value);
        buffer.Advance(4);
    }

    private static void WriteName(ArrayBufferWriter<byte> buffer, string value)
    {
        var span = buffer.GetSpan(1 + Encoding.UTF8.GetMaxByteCount(value.Length));
        var length = Encoding.UTF8.GetBytes(value, span[1..]);
        span[0] = (byte)length;
        buffer.Advance(1 + length);
    }
}
