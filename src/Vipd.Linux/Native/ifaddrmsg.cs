using System.Runtime.InteropServices;

namespace Vipd.Linux.Native;

/// <summary><c>struct ifaddrmsg</c> (linux/if_addr.h): the fixed part of RTM_NEWADDR/DELADDR/GETADDR.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ifaddrmsg
{
    public byte ifa_family;
    public byte ifa_prefixlen;
    public byte ifa_flags;
    public byte ifa_scope;
    public uint ifa_index;
}
