using Vipd.Core.Wire;

namespace Vipd.Core.Intents;

/// <summary>
/// The intent replication messages, carried as gossip user messages (sealed and authenticated by the membership):
/// <c>[format u8 = 1][kind u8][body]</c>, integers big-endian, names as <c>[length u8][UTF-8]</c>. A key is
/// <c>[kind u8][name]</c>, a version <c>[counter u64][origin name]</c>. Decoding never throws and rejects anything
/// not exactly in this layout.
/// </summary>
internal static class IntentMessageCodec
{
    public const byte FormatVersion = 1;

    /// <summary>Bytes in front of every message.</summary>
    public const int HeaderSize = 2;

    public static int KeySize(IntentKey key) => 1 + SpanWriter.NameSize(key.Name);

    public static int VersionSize(IntentVersion version) => 8 + SpanWriter.NameSize(version.Origin);

    /// <summary>Bytes a fragment takes before its chunk.</summary>
    public static int FragmentOverhead(IntentKey key, IntentVersion version, bool deleted) =>
        HeaderSize + KeySize(key) + VersionSize(version) + 1 + (deleted ? 8 : 0) + 4 + 4;

    public static byte[] EncodeSummary(ulong hash, uint count)
    {
        var buffer = new byte[HeaderSize + 12];
        var writer = Start(buffer, IntentMessageKind.Summary);
        writer.WriteUInt64(hash);
        writer.WriteUInt32(count);
        return buffer;
    }

    public static byte[] EncodeDigest(bool wantsDigest, IReadOnlyList<(IntentKey Key, IntentVersion Version)> entries)
    {
        var size = HeaderSize + 1 + 2 + entries.Sum(e => KeySize(e.Key) + VersionSize(e.Version));
        var buffer = new byte[size];
        var writer = Start(buffer, IntentMessageKind.Digest);
        writer.WriteByte(wantsDigest ? (byte)1 : (byte)0);
        writer.WriteUInt16((ushort)entries.Count);
        foreach (var (key, version) in entries)
        {
            WriteKey(ref writer, key);
            WriteVersion(ref writer, version);
        }

        return buffer;
    }

    /// <summary>Bytes one want takes: <c>[key][flags u8]</c>, with ranges <c>[version][count u8][(offset u32, length u32)]*</c>.</summary>
    public static int WantSize(IntentWant want) =>
        KeySize(want.Key) + 1 + (want.Version is { } v ? VersionSize(v) + 1 + (8 * want.Ranges.Count) : 0);

    public static byte[] EncodeRequest(IReadOnlyList<IntentWant> wants)
    {
        var buffer = new byte[HeaderSize + 2 + wants.Sum(WantSize)];
        var writer = Start(buffer, IntentMessageKind.Request);
        writer.WriteUInt16((ushort)wants.Count);
        foreach (var want in wants)
        {
            WriteKey(ref writer, want.Key);
            if (want.Version is { } version)
            {
                writer.WriteByte(1);
                WriteVersion(ref writer, version);
                writer.WriteByte((byte)want.Ranges.Count);
                foreach (var (offset, length) in want.Ranges)
                {
                    writer.WriteUInt32((uint)offset);
                    writer.WriteUInt32((uint)length);
                }
            }
            else
            {
                writer.WriteByte(0);
            }
        }

        return buffer;
    }

    public static byte[] EncodeFragment(IntentKey key, IntentVersion version, DateTimeOffset? deletedAt, int totalLength, int offset, ReadOnlySpan<byte> chunk)
    {
        var buffer = new byte[FragmentOverhead(key, version, deletedAt is not null) + chunk.Length];
        var writer = Start(buffer, IntentMessageKind.Fragment);
        WriteKey(ref writer, key);
        WriteVersion(ref writer, version);
        writer.WriteByte(deletedAt is null ? (byte)0 : (byte)1);
        if (deletedAt is { } at)
        {
            writer.WriteUInt64((ulong)at.ToUnixTimeMilliseconds());
        }

        writer.WriteUInt32((uint)totalLength);
        writer.WriteUInt32((uint)offset);
        chunk.CopyTo(buffer.AsSpan(writer.Position));
        return buffer;
    }

    /// <summary>Decodes one message; null when it is not exactly a well-formed message of this format.</summary>
    public static IntentMessage? TryDecode(ReadOnlySpan<byte> payload)
    {
        var reader = new SpanReader(payload);
        if (!reader.TryReadByte(out var format) || format != FormatVersion || !reader.TryReadByte(out var kind))
        {
            return null;
        }

        IntentMessage? message = (IntentMessageKind)kind switch
        {
            IntentMessageKind.Summary => reader.TryReadUInt64(out var hash) && reader.TryReadUInt32(out var count)
                ? new IntentSummaryMessage(hash, count) : null,
            IntentMessageKind.Digest => DecodeDigest(ref reader),
            IntentMessageKind.Request => DecodeRequest(ref reader),
            IntentMessageKind.Fragment => DecodeFragment(ref reader),
            _ => null,
        };
        return reader.Remaining == 0 ? message : null;
    }

    private static IntentDigestMessage? DecodeDigest(ref SpanReader reader)
    {
        if (!reader.TryReadByte(out var flags) || flags > 1 || !reader.TryReadUInt16(out var count))
        {
            return null;
        }

        var entries = new List<(IntentKey, IntentVersion)>(Math.Min((int)count, 256));
        for (var i = 0; i < count; i++)
        {
            if (!TryReadKey(ref reader, out var key) || !TryReadVersion(ref reader, out var version))
            {
                return null;
            }

            entries.Add((key, version));
        }

        return new IntentDigestMessage(flags == 1, entries);
    }

    private static IntentRequestMessage? DecodeRequest(ref SpanReader reader)
    {
        if (!reader.TryReadUInt16(out var count))
        {
            return null;
        }

        var wants = new List<IntentWant>(Math.Min((int)count, 256));
        for (var i = 0; i < count; i++)
        {
            if (!TryReadKey(ref reader, out var key) || !reader.TryReadByte(out var flags) || flags > 1)
            {
                return null;
            }

            if (flags == 0)
            {
                wants.Add(IntentWant.Whole(key));
                continue;
            }

            if (!TryReadVersion(ref reader, out var version) || !reader.TryReadByte(out var rangeCount)
                || rangeCount is 0 or > IntentWant.MaxRanges)
            {
                return null;
            }

            var ranges = new (int, int)[rangeCount];
            for (var r = 0; r < rangeCount; r++)
            {
                if (!reader.TryReadUInt32(out var offset) || !reader.TryReadUInt32(out var length) || length == 0
                    || offset + (ulong)length > int.MaxValue)
                {
                    return null;
                }

                ranges[r] = ((int)offset, (int)length);
            }

            wants.Add(new IntentWant(key, version, ranges));
        }

        return new IntentRequestMessage(wants);
    }

    private static IntentFragmentMessage? DecodeFragment(ref SpanReader reader)
    {
        if (!TryReadKey(ref reader, out var key) || !TryReadVersion(ref reader, out var version)
            || !reader.TryReadByte(out var flags) || flags > 1)
        {
            return null;
        }

        DateTimeOffset? deletedAt = null;
        if (flags == 1)
        {
            if (!reader.TryReadUInt64(out var ms) || ms > (ulong)DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
            {
                return null;
            }

            deletedAt = DateTimeOffset.FromUnixTimeMilliseconds((long)ms);
        }

        if (!reader.TryReadUInt32(out var total) || !reader.TryReadUInt32(out var offset) || total > int.MaxValue
            || !reader.TryReadBytes(reader.Remaining, out var chunk))
        {
            return null;
        }

        var valid = deletedAt is null
            ? chunk.Length > 0 && offset < total && offset + (ulong)chunk.Length <= total
            : total == 0 && offset == 0 && chunk.Length == 0;
        return valid ? new IntentFragmentMessage(key, version, deletedAt, (int)total, (int)offset, chunk.ToArray()) : null;
    }

    private static SpanWriter Start(byte[] buffer, IntentMessageKind kind)
    {
        var writer = new SpanWriter(buffer);
        writer.WriteByte(FormatVersion);
        writer.WriteByte((byte)kind);
        return writer;
    }

    private static void WriteKey(ref SpanWriter writer, IntentKey key)
    {
        writer.WriteByte((byte)key.Kind);
        writer.WriteName(key.Name);
    }

    private static void WriteVersion(ref SpanWriter writer, IntentVersion version)
    {
        writer.WriteUInt64(version.Counter);
        writer.WriteName(version.Origin);
    }

    private static bool TryReadKey(ref SpanReader reader, out IntentKey key)
    {
        key = default;
        if (!reader.TryReadByte(out var kind) || kind is < (byte)IntentKind.Source or > (byte)IntentKind.Preference
            || !reader.TryReadName(out var name))
        {
            return false;
        }

        var error = kind == (byte)IntentKind.Source ? IntentValidation.SourceError(name) : IntentValidation.VipNameError(name);
        key = new IntentKey((IntentKind)kind, name);
        return error is null;
    }

    private static bool TryReadVersion(ref SpanReader reader, out IntentVersion version)
    {
        version = default;
        if (!reader.TryReadUInt64(out var counter) || counter == 0 || !reader.TryReadName(out var origin)
            || IntentValidation.NodeError(origin) is not null)
        {
            return false;
        }

        version = new IntentVersion(counter, origin);
        return true;
    }
}
