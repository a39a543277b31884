using System.Net.Sockets;
using static Vipd.Linux.Native.IfAddrConstants;
using static Vipd.Linux.Native.NetlinkConstants;
using static Vipd.Linux.Native.RtnetlinkConstants;

namespace Vipd.Linux.Netlink;

/// <summary>
/// Does this kernel keep IFA_PROTO (Linux 5.18, commit 47f0bd503210; or a distribution's backport)? vipd recognises
/// its own addresses only by that mark. A kernel without it parses RTM_NEWADDR leniently and drops the unknown
/// attribute without a word, so vipd would take its VIPs for an operator's and never remove them: two holders.
/// </summary>
/// <remarks>
/// The probe changes nothing: it asks for an address dump with strict checking (NETLINK_GET_STRICT_CHK, Linux 4.20)
/// and an IFA_PROTO attribute, which a dump request may not carry. A kernel that knows the attribute refuses it as
/// "Unsupported attribute in dump request"; one that does not refuses it as an "Unknown attribute type" (above its
/// IFA_MAX); one without strict checking or extended ACKs answers the dump, and is older than 5.18 anyway.
/// </remarks>
internal static class AddressProtocolProbe
{
    /// <summary>Asks the kernel; throws <see cref="KernelException"/> only when netlink itself fails.</summary>
    public static AddressProtocolSupport Probe() => Probe(IFA_PROTO);

    /// <summary>
    /// <see cref="Probe()"/> with another attribute in the dump request: tests send one above every kernel's IFA_MAX
    /// to see the answer a kernel without IFA_PROTO gives.
    /// </summary>
    public static AddressProtocolSupport Probe(ushort attribute)
    {
        using var socket = NetlinkSocket.Open();
        if (!socket.TryEnableStrictChecking())
        {
            return AddressProtocolSupport.Unknown;
        }

        Span<byte> buffer = stackalloc byte[64];
        var writer = new NetlinkMessageWriter(buffer);
        var sequence = socket.NextSequence();
        WriteProbe(ref writer, sequence, attribute);
        var ack = socket.Exchange(writer.Written, sequence, "probe IFA_PROTO support", onMessage: null);
        return Classify(ack);
    }

    /// <summary>The probe request: an IPv4 address dump carrying IFA_PROTO (or <paramref name="attribute"/>).</summary>
    public static void WriteProbe(ref NetlinkMessageWriter writer, uint sequence, ushort attribute = IFA_PROTO)
    {
        writer.BeginMessage(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, sequence);
        writer.WriteIfAddrMsg((byte)AddressFamily.InterNetwork, 0, 0, 0, 0);
        writer.WriteAttributeU8(attribute, AddressProtocol.Vipd);
        writer.EndMessage();
    }

    /// <summary>What the kernel's answer to <see cref="WriteProbe"/> says.</summary>
    public static AddressProtocolSupport Classify(NetlinkAck answer) =>
        answer.Errno == Native.Errno.EINVAL && answer.Message is { } message && message.Contains("Unsupported attribute", StringComparison.Ordinal)
            ? AddressProtocolSupport.Supported
            : answer.Errno == Native.Errno.EINVAL && answer.Message is { } unknown && unknown.Contains("Unknown attribute", StringComparison.Ordinal)
                ? AddressProtocolSupport.Unsupported
                : AddressProtocolSupport.Unknown;
}
