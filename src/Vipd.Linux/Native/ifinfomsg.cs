using System.Runtime.InteropServices;

namespace Vipd.Linux.Native;

/// <summary><c>struct ifinfomsg</c> (linux/rtnetlink.h): the fixed part of RTM_NEWLINK/DELLINK/GETLINK.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ifinfomsg
{
    public byte ifi_family;
    public byte __ifi_pad;
    public ushort ifi_type;
    public int ifi_index;
    public uint ifi_flags;
    public uint ifi_change;
}
