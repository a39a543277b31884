using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Vipd.Linux.Neighbor;

/// <summary>The few libc calls and structs the neighbor code needs beyond the BCL (Linux LP64 layouts).</summary>
internal static unsafe partial class NeighborNative
{
    public const int IpprotoIpv6 = 41;
    public const int IpprotoIcmpv6 = 58;
    public const int Ipv6UnicastHops = 16;
    public const int Ipv6MulticastHops = 18;
    public const int Ipv6MulticastLoop = 19;
    public const int Ipv6Pktinfo = 50;
    public const int Icmp6Filter = 1;
    public const int SolSocket = 1;
    public const int SoAttachFilter = 26;
    public const int SolPacket = 263;
    public const int PacketIgnoreOutgoing = 23;
    public const ushort AfInet6 = 10;
    public const int MsgDontwait = 0x40;
    public const int Eintr = 4;

    /// <summary>CMSG_SPACE(sizeof(struct in6_pktinfo)) = 16 + 24.</summary>
    public const int PktinfoControlSpace = 40;

    /// <summary>CMSG_LEN(sizeof(struct in6_pktinfo)) = 16 + 20.</summary>
    public const int PktinfoControlLength = 36;

    [LibraryImport("libc", EntryPoint = "sendto", SetLastError = true)]
    public static partial nint SendTo(nint fd, void* buffer, nuint length, int flags, void* address, uint addressLength);

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    public static partial nint SendMsg(nint fd, MsgHdr* message, int flags);

    /// <summary>struct iovec.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    /// <summary>struct msghdr (56 bytes on LP64).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary>struct cmsghdr (16 bytes on LP64); the data follows.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct CmsgHdr
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    /// <summary>struct in6_pktinfo (20 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct In6Pktinfo
    {
        public UInt128Bytes Address;
        public int InterfaceIndex;
    }

    /// <summary>struct sockaddr_in6 (28 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockaddrIn6
    {
        public ushort Family;
        public ushort Port;
        public uint FlowInfo;
        public UInt128Bytes Address;
        public uint ScopeId;
    }

    /// <summary>16 address bytes in network order (struct in6_addr).</summary>
    [InlineArray(16)]
    public struct UInt128Bytes
    {
        private byte _element0;
    }

    /// <summary>struct sock_filter: one classic BPF instruction (8 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockFilter
    {
        public ushort Code;
        public byte JumpTrue;
        public byte JumpFalse;
        public uint K;

        public SockFilter(ushort code, byte jumpTrue, byte jumpFalse, uint k)
        {
            Code = code;
            JumpTrue = jumpTrue;
            JumpFalse = jumpFalse;
            K = k;
        }
    }

    /// <summary>struct sock_fprog (16 bytes on LP64).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockFprog
    {
        public ushort Length;
        public SockFilter* Filter;
    }
}
