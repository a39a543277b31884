using System.Runtime.InteropServices;

namespace Vipd.Linux.Native;

/// <summary><c>struct nlmsghdr</c> (linux/netlink.h): the header of every netlink message.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct nlmsghdr
{
    public uint nlmsg_len;
    public ushort nlmsg_type;
    public ushort nlmsg_flags;
    public uint nlmsg_seq;
    public uint nlmsg_pid;
}
