using System.Runtime.InteropServices;

namespace Vipd.Linux.Native;

/// <summary><c>struct rtattr</c> (linux/rtnetlink.h): the header of one routing attribute (TLV).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct rtattr
{
    public ushort rta_len;
    public ushort rta_type;
}
