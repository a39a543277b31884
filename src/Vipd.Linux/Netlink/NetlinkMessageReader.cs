using static Vipd.Linux.Native.NetlinkConstants;

namespace Vipd.Linux.Netlink;

/// <summary>
/// Walks the netlink messages of one received datagram (NLMSG_OK / NLMSG_NEXT). Never throws: a message whose
/// length is impossible ends the walk and sets <see cref="IsMalformed"/>.
/// </summary>
internal ref struct NetlinkMessageReader
{
    private ReadOnlySpan<byte> _remaining;

    public NetlinkMessageReader(ReadOnlySpan<byte> datagram)
    {
        _remaining = datagram;
    }

    /// <summary>True when the walk stopped at a message with a bad length.</summary>
    public bool IsMalformed { get; private set; }

    public bool TryRead(out NetlinkMessage message)
    {
        message = default;
        if (_remaining.Length < NLMSG_HDRLEN)
        {
            IsMalformed |= _remaining.Length != 0;
            _remaining = default;
            return false;
        }

        var length = HostOrder.ReadUInt32(_remaining);
        if (length < NLMSG_HDRLEN || length > (uint)_remaining.Length)
        {
            IsMalformed = true;
            _remaining = default;
            return false;
        }

        message = new NetlinkMessage(
            HostOrder.ReadUInt16(_remaining[4..]),
            HostOrder.ReadUInt16(_remaining[6..]),
            HostOrder.ReadUInt32(_remaining[8..]),
            HostOrder.ReadUInt32(_remaining[12..]),
            _remaining[NLMSG_HDRLEN..(int)length]);
        var next = HostOrder.Align((int)length);
        _remaining = next >= _remaining.Length ? default : _remaining[next..];
        return true;
    }
}
