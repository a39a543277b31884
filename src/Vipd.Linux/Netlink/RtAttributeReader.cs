using static Vipd.Linux.Native.NetlinkConstants;

namespace Vipd.Linux.Netlink;

/// <summary>
/// Walks a run of attributes (RTA_OK / RTA_NEXT). Never throws: a bad length ends the walk and sets
/// <see cref="IsMalformed"/>. Types are returned with the NLA_F_NESTED/NLA_F_NET_BYTEORDER bits masked off.
/// </summary>
internal ref struct RtAttributeReader
{
    private ReadOnlySpan<byte> _remaining;

    public RtAttributeReader(ReadOnlySpan<byte> attributes)
    {
        _remaining = attributes;
    }

    public bool IsMalformed { get; private set; }

    public bool TryRead(out ushort type, out ReadOnlySpan<byte> value)
    {
        type = 0;
        value = default;
        if (_remaining.Length < 4)
        {
            IsMalformed |= _remaining.Length != 0;
            _remaining = default;
            return false;
        }

        var length = HostOrder.ReadUInt16(_remaining);
        if (length < 4 || length > _remaining.Length)
        {
            IsMalformed = true;
            _remaining = default;
            return false;
        }

        type = (ushort)(HostOrder.ReadUInt16(_remaining[2..]) & NLA_TYPE_MASK);
        value = _remaining[4..length];
        var next = HostOrder.Align(length);
        _remaining = next >= _remaining.Length ? default : _remaining[next..];
        return true;
    }
}
