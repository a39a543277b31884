namespace Vipd.Core.Wire;

/// <summary>
/// The plaintext codec: a datagram's plaintext is one or more frames, each <c>[type u8][length u16][body]</c>,
/// integers big-endian. Unknown frame types are skipped (newer peers may add types); decoding never throws.
/// </summary>
internal static class MessageCodec
{
    /// <summary>Bytes the frame of <paramref name="message"/> takes, header included.</summary>
    public static int GetFrameSize(WireMessage message) => WireFormat.FrameHeaderSize + message switch
    {
        PingMessage => 4 + 4,
        AliveRequestMessage m => SpanWriter.NameSize(m.Target),
        IndirectPingMessage m => 4 + SpanWriter.NameSize(m.Target) + SpanWriter.EndPointSize(m.TargetAddress) + 1,
        AckMessage => 4,
        NackMessage => 4,
        AliveMessage m => 4 + SpanWriter.NameSize(m.Name) + SpanWriter.EndPointSize(m.Address) + 2 + m.Metadata.Length,
        SuspectMessage m => 4 + SpanWriter.NameSize(m.Name) + SpanWriter.NameSize(m.From),
        DeadMessage m => 4 + SpanWriter.NameSize(m.Name) + SpanWriter.NameSize(m.From),
        PushPullMessage m => 2 + m.Entries.Sum(GetEntrySize),
        UserMessage m => m.Payload.Length,
        MetadataRequestMessage m => SpanWriter.NameSize(m.Owner) + 8 + 4,
        MetadataFragmentMessage m => SpanWriter.NameSize(m.Owner) + 8 + 4 + 4 + m.Chunk.Length,
        _ => throw new ArgumentException("Unknown message type.", nameof(message)),
    };

    /// <summary>Bytes one push/pull entry takes.</summary>
    public static int GetEntrySize(PushPullEntry entry) =>
        SpanWriter.NameSize(entry.Name) + SpanWriter.EndPointSize(entry.Address) + 4 + 1 + 2 + entry.Metadata.Length;

    /// <summary>Writes the frame of <paramref name="message"/>; returns its size. The destination must be large enough.</summary>
    public static int Write(WireMessage message, Span<byte> destination)
    {
        var writer = new SpanWriter(destination);
        writer.WriteByte((byte)message.Type);
        writer.WriteUInt16(0);
        switch (message)
        {
            case PingMessage m:
                writer.WriteUInt32(m.Sequence);
                writer.WriteUInt32(m.SourceIncarnation);
                break;
            case AliveRequestMessage m:
                writer.WriteName(m.Target);
                break;
            case IndirectPingMessage m:
                writer.WriteUInt32(m.Sequence);
                writer.WriteName(m.Target);
                writer.WriteEndPoint(m.TargetAddress);
                writer.WriteByte(m.WantNack ? (byte)1 : (byte)0);
                break;
            case AckMessage m:
                writer.WriteUInt32(m.Sequence);
                break;
            case NackMessage m:
                writer.WriteUInt32(m.Sequence);
                break;
            case AliveMessage m:
                writer.WriteUInt32(m.Incarnation);
                writer.WriteName(m.Name);
                writer.WriteEndPoint(m.Address);
                writer.WriteMetadata(m.Metadata.Span);
                break;
            case SuspectMessage m:
                writer.WriteUInt32(m.Incarnation);
                writer.WriteName(m.Name);
                writer.WriteName(m.From);
                break;
            case DeadMessage m:
                writer.WriteUInt32(m.Incarnation);
                writer.WriteName(m.Name);
                writer.WriteName(m.From);
                break;
            case PushPullMessage m:
                writer.WriteByte((byte)((m.IsReply ? 1 : 0) | (m.IsJoin ? 2 : 0) | (m.IsContinuation ? 4 : 0)));
                writer.WriteByte((byte)m.Entries.Count);
                foreach (var entry in m.Entries)
                {
                    writer.WriteName(entry.Name);
                    writer.WriteEndPoint(entry.Address);
                    writer.WriteUInt32(entry.Incarnation);
                    writer.WriteByte((byte)entry.State);
                    writer.WriteMetadata(entry.Metadata.Span);
                }

                break;
            case UserMessage m:
                m.Payload.Span.CopyTo(destination[writer.Position..]);
                writer.Skip(m.Payload.Length);
                break;
            case MetadataRequestMessage m:
                writer.WriteName(m.Owner);
                writer.WriteUInt64(m.Hash);
                writer.WriteUInt32((uint)m.From);
                break;
            case MetadataFragmentMessage m:
                writer.WriteName(m.Owner);
                writer.WriteUInt64(m.Hash);
                writer.WriteUInt32((uint)m.Total);
                writer.WriteUInt32((uint)m.Offset);
                m.Chunk.Span.CopyTo(destination[writer.Position..]);
                writer.Skip(m.Chunk.Length);
                break;
            default:
                throw new ArgumentException("Unknown message type.", nameof(message));
        }

        writer.WriteUInt16At(1, (ushort)(writer.Position - WireFormat.FrameHeaderSize));
        return writer.Position;
    }

    /// <summary>Encodes messages into one plaintext (tests and tools; the membership packs frames itself).</summary>
    public static byte[] Encode(params ReadOnlySpan<WireMessage> messages)
    {
        var size = 0;
        foreach (var message in messages)
        {
            size += GetFrameSize(message);
        }

        var buffer = new byte[size];
        var position = 0;
        foreach (var message in messages)
        {
            position += Write(message, buffer.AsSpan(position));
        }

        return buffer;
    }

    /// <summary>Decodes every frame of a plaintext into <paramref name="messages"/>. Never throws.</summary>
    /// <returns>
    /// <see cref="DropReason.None"/> when at least one known message decoded and every frame was well formed;
    /// <see cref="DropReason.BadName"/> when a name is outside the wire charset.
    /// </returns>
    public static DropReason TryDecode(ReadOnlySpan<byte> plaintext, List<WireMessage> messages)
    {
        var start = messages.Count;
        var reader = new SpanReader(plaintext);
        if (reader.Remaining == 0)
        {
            return DropReason.Truncated;
        }

        while (reader.Remaining > 0)
        {
            if (!reader.TryReadByte(out var type) || !reader.TryReadUInt16(out var length)
                || !reader.TryReadBytes(length, out var body))
            {
                messages.RemoveRange(start, messages.Count - start);
                return DropReason.Truncated;
            }

            if (type is < (byte)MessageType.Ping or > (byte)MessageType.MetadataFragment)
            {
                continue;
            }

            var message = DecodeBody((MessageType)type, body, out var badName);
            if (message is null)
            {
                messages.RemoveRange(start, messages.Count - start);
                return badName ? DropReason.BadName : DropReason.Malformed;
            }

            messages.Add(message);
        }

        return messages.Count > start ? DropReason.None : DropReason.UnknownMessageType;
    }

    /// <summary>Decodes one plaintext into a new list (tests and fuzzing).</summary>
    public static DropReason TryDecode(ReadOnlySpan<byte> plaintext, out IReadOnlyList<WireMessage> messages)
    {
        var list = new List<WireMessage>();
        var reason = TryDecode(plaintext, list);
        messages = list;
        return reason;
    }

    private static WireMessage? DecodeBody(MessageType type, ReadOnlySpan<byte> body, out bool badName)
    {
        var reader = new SpanReader(body);
        WireMessage? message = type switch
        {
            MessageType.Ping => reader.TryReadUInt32(out var seq) && reader.TryReadUInt32(out var incarnation)
                ? new PingMessage(seq, incarnation) : null,
            MessageType.IndirectPing => reader.TryReadUInt32(out var seq) && reader.TryReadName(out var target)
                && reader.TryReadEndPoint(out var address) && reader.TryReadByte(out var nack) && nack <= 1
                ? new IndirectPingMessage(seq, target, address, nack == 1) : null,
            MessageType.Ack => reader.TryReadUInt32(out var seq) ? new AckMessage(seq) : null,
            MessageType.Nack => reader.TryReadUInt32(out var seq) ? new NackMessage(seq) : null,
            MessageType.Alive => reader.TryReadUInt32(out var incarnation) && reader.TryReadName(out var name)
                && reader.TryReadEndPoint(out var address) && reader.TryReadMetadata(out var metadata)
                ? new AliveMessage(incarnation, name, address, metadata) : null,
            MessageType.Suspect => reader.TryReadUInt32(out var incarnation) && reader.TryReadName(out var name)
                && reader.TryReadName(out var from) ? new SuspectMessage(incarnation, name, from) : null,
            MessageType.Dead => reader.TryReadUInt32(out var incarnation) && reader.TryReadName(out var name)
                && reader.TryReadName(out var from) ? new DeadMessage(incarnation, name, from) : null,
            MessageType.PushPull => DecodePushPull(ref reader),
            MessageType.AliveRequest => reader.TryReadName(out var target) ? new AliveRequestMessage(target) : null,
            MessageType.User => reader.TryReadBytes(reader.Remaining, out var payload) && payload.Length > 0
                ? new UserMessage(payload.ToArray()) : null,
            MessageType.MetadataRequest => reader.TryReadName(out var owner) && reader.TryReadUInt64(out var hash)
                && reader.TryReadUInt32(out var from) && from < WireFormat.MaxLargeMetadataBytes
                ? new MetadataRequestMessage(owner, hash, (int)from) : null,
            MessageType.MetadataFragment => DecodeFragment(ref reader),
            _ => null,
        };

        // A body must be consumed exactly: trailing bytes mean a different layout than ours.
        badName = reader.NameRejected;
        return reader.Remaining == 0 ? message : null;
    }

    private static MetadataFragmentMessage? DecodeFragment(ref SpanReader reader)
    {
        if (!reader.TryReadName(out var owner) || !reader.TryReadUInt64(out var hash) || !reader.TryReadUInt32(out var total)
            || !reader.TryReadUInt32(out var offset) || !reader.TryReadBytes(reader.Remaining, out var chunk)
            || chunk.IsEmpty || total > WireFormat.MaxLargeMetadataBytes || offset >= total || chunk.Length > total - offset)
        {
            return null;
        }

        return new MetadataFragmentMessage(owner, hash, (int)total, (int)offset, chunk.ToArray());
    }

    private static PushPullMessage? DecodePushPull(ref SpanReader reader)
    {
        if (!reader.TryReadByte(out var flags) || flags > 7 || !reader.TryReadByte(out var count))
        {
            return null;
        }

        var entries = new PushPullEntry[count];
        for (var i = 0; i < count; i++)
        {
            if (!reader.TryReadName(out var name) || !reader.TryReadEndPoint(out var address)
                || !reader.TryReadUInt32(out var incarnation) || !reader.TryReadState(out var state)
                || !reader.TryReadMetadata(out var metadata))
            {
                return null;
            }

            entries[i] = new PushPullEntry(name, address, incarnation, state, metadata);
        }

        return new PushPullMessage((flags & 1) != 0, (flags & 2) != 0, entries) { IsContinuation = (flags & 4) != 0 };
    }
}
