using System.Runtime.InteropServices;

namespace Vipd.Linux.Native;

/// <summary><c>struct nlmsgerr</c> (linux/netlink.h): the payload of NLMSG_ERROR (error 0 is an ACK).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct nlmsgerr
{
    public int error;
    public nlmsghdr msg;
}
