using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Vipd.Core.Wire;

/// <summary>Writes big-endian fields; the caller sized the buffer with <see cref="MessageCodec.GetFrameSize"/>.</summary>
internal ref struct SpanWriter(Span<byte> buffer)
{
    private readonly Span<byte> _buffer = buffer;

    public int Position { get; private set; }

    public void WriteByte(byte value) => _buffer[Position++] = value;

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[Position..], value);
        Position += 2;
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_buffer[Position..], value);
        Position += 4;
    }

    public void WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(_buffer[Position..], value);
        Position += 8;
    }

    /// <summary>Moves past <paramref name="count"/> bytes the caller wrote itself.</summary>
    public void Skip(int count) => Position += count;

    public void WriteUInt16At(int position, ushort value) =>
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[position..], value);

    public void WriteName(string value)
    {
        var length = Encoding.UTF8.GetBytes(value, _buffer[(Position + 1)..]);
        _buffer[Position] = (byte)length;
        Position += 1 + length;
    }

    public void WriteEndPoint(IPEndPoint value)
    {
        var v4 = value.AddressFamily == AddressFamily.InterNetwork;
        WriteByte(v4 ? (byte)4 : (byte)6);
        _ = value.Address.TryWriteBytes(_buffer[Position..], out var written);
        Position += written;
        WriteUInt16((ushort)value.Port);
    }

    public void WriteMetadata(ReadOnlySpan<byte> value)
    {
        WriteUInt16((ushort)value.Length);
        value.CopyTo(_buffer[Position..]);
        Position += value.Length;
    }

    public static int NameSize(string value) => 1 + Encoding.UTF8.GetByteCount(value);

    public static int EndPointSize(IPEndPoint value) =>
        value.AddressFamily == AddressFamily.InterNetwork ? 1 + 4 + 2 : 1 + 16 + 2;
}
