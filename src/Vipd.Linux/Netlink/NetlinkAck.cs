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

        string? message = null;
        if ((flags & NLM_F_ACK_TLVS) != 0 && offset < payload.Length)
        {
            var attributes = new RtAttributeReader(payload[offset..]);
            while (attributes.TryRead(out var type, out var value))
            {
                if (type == NLMSGERR_ATTR_MSG)
                {
                    var end = value.IndexOf((byte)0);
                    message = Encoding.UTF8.GetString(end >= 0 ? value[..end] : value);
                }
            }
        }

        ack = new NetlinkAck(errno, message);
        return true;
    }
}
