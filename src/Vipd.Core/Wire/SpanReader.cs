using System.Buffers.Binary;
using System.Net;
using System.Text;
using Vipd.Core.Membership;

namespace Vipd.Core.Wire;

/// <summary>Reads big-endian fields from untrusted bytes; every read reports failure instead of throwing.</summary>
internal ref struct SpanReader(ReadOnlySpan<byte> buffer)
{
    private readonly ReadOnlySpan<byte> _buffer = buffer;
    private int _position;

    public readonly int Remaining => _buffer.Length - _position;

    /// <summary>True once a name was refused for its charset (<see cref="WireFormat.IsValidName(ReadOnlySpan{byte})"/>).</summary>
    public bool NameRejected { get; private set; }

    public bool TryReadByte(out byte value)
    {
        if (Remaining < 1)
        {
            value = 0;
            return false;
        }

        value = _buffer[_position++];
        return true;
    }

    public bool TryReadUInt16(out ushort value)
    {
        if (Remaining < 2)
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt16BigEndian(_buffer[_position..]);
        _position += 2;
        return true;
    }

    public bool TryReadUInt64(out ulong value)
    {
        if (Remaining < 8)
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt64BigEndian(_buffer[_position..]);
        _position += 8;
        return true;
    }

    public bool TryReadUInt32(out uint value)
    {
        if (Remaining < 4)
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt32BigEndian(_buffer[_position..]);
        _position += 4;
        return true;
    }

    public bool TryReadBytes(int count, out ReadOnlySpan<byte> value)
    {
        if (count < 0 || Remaining < count)
        {
            value = default;
            return false;
        }

        value = _buffer.Slice(_position, count);
        _position += count;
        return true;
    }

    /// <summary>A name: 8-bit length (1..MaxNameBytes), then printable ASCII (<see cref="WireFormat.IsValidName(ReadOnlySpan{byte})"/>).</summary>
    public bool TryReadName(out string value)
    {
        value = string.Empty;
        if (!TryReadByte(out var length) || length == 0 || length > WireFormat.MaxNameBytes
            || !TryReadBytes(length, out var bytes))
        {
            return false;
        }

        if (!WireFormat.IsValidName(bytes))
        {
            NameRejected = true;
            return false;
        }

        value = Encoding.ASCII.GetString(bytes);
        return true;
    }

    /// <summary>An endpoint: family byte (4 or 6), the address, a 16-bit port.</summary>
    public bool TryReadEndPoint(out IPEndPoint value)
    {
        value = null!;
        if (!TryReadByte(out var family))
        {
            return false;
        }

        var length = family switch { 4 => 4, 6 => 16, _ => -1 };
        if (length < 0 || !TryReadBytes(length, out var address) || !TryReadUInt16(out var port))
        {
            return false;
        }

        value = new IPEndPoint(new IPAddress(address), port);
        return true;
    }

    /// <summary>Metadata: 16-bit length (at most MaxMetadataBytes), then the bytes.</summary>
    public bool TryReadMetadata(out ReadOnlyMemory<byte> value)
    {
        value = ReadOnlyMemory<byte>.Empty;
        if (!TryReadUInt16(out var length) || length > WireFormat.MaxMetadataBytes || !TryReadBytes(length, out var bytes))
        {
            return false;
        }

        value = length == 0 ? ReadOnlyMemory<byte>.Empty : bytes.ToArray();
        return true;
    }

    public bool TryReadState(out MemberState value)
    {
        value = default;
        if (!TryReadByte(out var raw) || raw is < (byte)MemberState.Alive or > (byte)MemberState.Left)
        {
            return false;
        }

        value = (MemberState)raw;
        return true;
    }
}
