using System.Runtime.InteropServices;

namespace Vipd.Linux.Native;

/// <summary><c>struct ifa_cacheinfo</c> (linux/if_addr.h): the IFA_CACHEINFO attribute (lifetimes in seconds).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ifa_cacheinfo
{
    public uint ifa_prefered;
    public uint ifa_valid;
    public uint cstamp;
    public uint tstamp;
}
