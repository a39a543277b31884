using System.Runtime.InteropServices;

namespace Vipd.Linux.Native;

/// <summary><c>struct sockaddr_nl</c> (linux/netlink.h): a netlink socket address.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct sockaddr_nl
{
    public ushort nl_family;
    public ushort nl_pad;
    public uint nl_pid;
    public uint nl_groups;
}
