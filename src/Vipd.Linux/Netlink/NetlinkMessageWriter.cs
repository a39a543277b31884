using System.Net;
using System.Net.Sockets;
using System.Text;
using static Vipd.Linux.Native.NetlinkConstants;

namespace Vipd.Linux.Netlink;

/// <summary>
/// Writes netlink messages (header, fixed part, attributes) one after another into a buffer, 4-byte aligned with
/// zeroed padding. Pure: no syscalls; a too-small buffer throws <see cref="ArgumentOutOfRangeException"/>.
/// </summary>
internal ref struct NetlinkMessageWriter
{
    /// <summary>Room one address message needs at most: header, ifaddrmsg and five attributes.</summary>
    public const int MaxAddressMessageSize = 128;

    private readonly Span<byte> _buffer;
    private int _position;
    private int _messageStart;

    public NetlinkMessageWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _messageStart = -1;
    }

    /// <summary>Bytes written so far (complete messages plus the one in progress).</summary>
    public readonly int Length => _position;

    /// <summary>The written bytes.</summary>
    public readonly ReadOnlySpan<byte> Written => _buffer[.._position];

    public void BeginMessage(ushort type, ushort flags, uint sequence)
    {
        if (_messageStart >= 0)
        {
            throw new InvalidOperationException("The previous message was not ended.");
        }

        _messageStart = _position;
        var header = Reserve(NLMSG_HDRLEN);
        HostOrder.WriteUInt32(header, 0);
        HostOrder.WriteUInt16(header[4..], type);
        HostOrder.WriteUInt16(header[6..], flags);
        HostOrder.WriteUInt32(header[8..], sequence);
        HostOrder.WriteUInt32(header[12..], 0);
    }

    /// <summary>Writes a <c>struct ifaddrmsg</c>.</summary>
    public void WriteIfAddrMsg(byte family, byte prefixLength, byte flags, byte scope, int interfaceIndex)
    {
        var body = Reserve(8);
        body[0] = family;
        body[1] = prefixLength;
        body[2] = flags;
        body[3] = scope;
        HostOrder.WriteUInt32(body[4..], (uint)interfaceIndex);
    }

    /// <summary>Writes a <c>struct rtmsg</c> (flags 0).</summary>
    public void WriteRtMsg(byte family, byte destinationLength, byte table, byte protocol, byte scope, byte type)
    {
        var body = Reserve(12);
        body[0] = family;
        body[1] = destinationLength;
        body[2] = 0; // rtm_src_len
        body[3] = 0; // rtm_tos
        body[4] = table;
        body[5] = protocol;
        body[6] = scope;
        body[7] = type;
        HostOrder.WriteUInt32(body[8..], 0);
    }

    /// <summary>Writes a <c>struct ifinfomsg</c>.</summary>
    public void WriteIfInfoMsg(byte family, int interfaceIndex, uint flags, uint change)
    {
        var body = Reserve(16);
        body[0] = family;
        body[1] = 0;
        HostOrder.WriteUInt16(body[2..], 0);
        HostOrder.WriteUInt32(body[4..], (uint)interfaceIndex);
        HostOrder.WriteUInt32(body[8..], flags);
        HostOrder.WriteUInt32(body[12..], change);
    }

    /// <summary>Writes one attribute (<c>struct rtattr</c> and value), padded to 4 bytes.</summary>
    public void WriteAttribute(ushort type, scoped ReadOnlySpan<byte> value)
    {
        var length = 4 + value.Length;
        if (length > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "An attribute holds at most 65531 bytes.");
        }

        var attribute = Reserve(length);
        HostOrder.WriteUInt16(attribute, (ushort)length);
        HostOrder.WriteUInt16(attribute[2..], type);
        value.CopyTo(attribute[4..]);
    }

    public void WriteAttributeU8(ushort type, byte value) => WriteAttribute(type, [value]);

    public void WriteAttributeU32(ushort type, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        HostOrder.WriteUInt32(bytes, value);
        WriteAttribute(type, bytes);
    }

    /// <summary>Writes a NUL-terminated string attribute (such as IFLA_IFNAME).</summary>
    public void WriteAttributeString(ushort type, string value)
    {
        Span<byte> bytes = stackalloc byte[Encoding.UTF8.GetMaxByteCount(value.Length) + 1];
        var count = Encoding.UTF8.GetBytes(value, bytes);
        bytes[count] = 0;
        WriteAttribute(type, bytes[..(count + 1)]);
    }

    /// <summary>Writes an IPv4 (4 bytes) or IPv6 (16 bytes) address attribute, network byte order.</summary>
    public void WriteAttributeAddress(ushort type, IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var count) || count is not (4 or 16))
        {
            throw new ArgumentException($"Unsupported address family {address.AddressFamily}.", nameof(address));
        }

        WriteAttribute(type, bytes[..count]);
    }

    /// <summary>Ends the current message: patches nlmsg_len. Returns the message's length.</summary>
    public int EndMessage()
    {
        if (_messageStart < 0)
        {
            throw new InvalidOperationException("No message was begun.");
        }

        var length = _position - _messageStart;
        HostOrder.WriteUInt32(_buffer[_messageStart..], (uint)length);
        _messageStart = -1;
        return length;
    }

    /// <summary>The family byte of an address (AF_INET 2, AF_INET6 10).</summary>
    public static byte FamilyOf(IPAddress address) => address.AddressFamily switch
    {
        AddressFamily.InterNetwork => 2,
        AddressFamily.InterNetworkV6 => 10,
        _ => throw new ArgumentException($"Unsupported address family {address.AddressFamily}.", nameof(address)),
    };

    private Span<byte> Reserve(int length)
    {
        var aligned = HostOrder.Align(length);
        var slice = _buffer.Slice(_position, aligned);
        slice[length..].Clear();
        _position += aligned;
        return slice[..length];
    }
}
