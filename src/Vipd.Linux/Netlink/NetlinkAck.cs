using System.Text;
using static Vipd.Linux.Native.NetlinkConstants;

namespace Vipd.Linux.Netlink;

/// <summary>
/// The payload of an NLMSG_ERROR message: an ACK (errno 0) or an error, with the kernel's extended-ACK text
/// (NLMSGERR_ATTR_MSG) when the socket asked for it.
/// </summary>
/// <param name="Errno">The errno (positive), 0 for a plain ACK.</param>
/// <param name="Message">The extended-ACK text, when the kernel gave one.</param>
internal readonly record struct NetlinkAck(int Errno, string? Message)
{
    /// <summary>Parses the payload of an NLMSG_ERROR message; <paramref name="flags"/> are that message's flags.</summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, ushort flags, out NetlinkAck ack)
    {
        ack = default;
        if (payload.Length < 4 + NLMSG_HDRLEN)
        {
            return false;
        }

        var errno = -HostOrder.ReadInt32(payload);
        var offset = 4 + NLMSG_HDRLEN;
        if ((flags & NLM_F_CAPPED) == 0)
        {
            // Without NETLINK_CAP_ACK the whole original request is echoed after the error.
            var originalLength = (int)HostOrder.ReadUInt32(payload[4..]);
            offset = 4 + HostOrder.Align(Math.Max(originalLength, NLMSG_HDRLEN));
        }

        ack = new NetlinkAck(errno, (flags & NLM_F_ACK_TLVS) != 0 && offset < payload.Length ? MessageOf(payload[offset..]) : null);
        return true;
    }

    /// <summary>
    /// Parses the payload of a dump's NLMSG_DONE: an int status (negative errno when the dump failed), then, with
    /// NLM_F_ACK_TLVS, the extended-ACK attributes directly (no echoed header).
    /// </summary>
    public static bool TryParseDone(ReadOnlySpan<byte> payload, ushort flags, out NetlinkAck ack)
    {
        ack = default;
        if (payload.Length < 4)
        {
            return false;
        }

        var status = HostOrder.ReadInt32(payload);
        var errno = status < 0 ? -status : 0;
        ack = new NetlinkAck(errno, (flags & NLM_F_ACK_TLVS) != 0 && payload.Length > 4 ? MessageOf(payload[4..]) : null);
        return true;
    }

    private static string? MessageOf(ReadOnlySpan<byte> attributes)
    {
        var reader = new RtAttributeReader(attributes);
        while (reader.TryRead(out var type, out var value))
        {
            if (type == NLMSGERR_ATTR_MSG)
            {
                var end = value.IndexOf((byte)0);
                return Encoding.UTF8.GetString(end >= 0 ? value[..end] : value);
            }
        }

        return null;
    }
}
