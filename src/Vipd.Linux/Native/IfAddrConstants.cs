namespace Vipd.Linux.Native;

/// <summary>Constants of linux/if_addr.h (checked against the headers by a test).</summary>
internal static class IfAddrConstants
{
    public const ushort IFA_UNSPEC = 0;
    public const ushort IFA_ADDRESS = 1;
    public const ushort IFA_LOCAL = 2;
    public const ushort IFA_LABEL = 3;
    public const ushort IFA_BROADCAST = 4;
    public const ushort IFA_ANYCAST = 5;
    public const ushort IFA_CACHEINFO = 6;
    public const ushort IFA_MULTICAST = 7;
    public const ushort IFA_FLAGS = 8;
    public const ushort IFA_RT_PRIORITY = 9;
    public const ushort IFA_TARGET_NETNSID = 10;
    public const ushort IFA_PROTO = 11;

    public const uint IFA_F_SECONDARY = 0x01;
    public const uint IFA_F_TEMPORARY = IFA_F_SECONDARY;
    public const uint IFA_F_NODAD = 0x02;
    public const uint IFA_F_OPTIMISTIC = 0x04;
    public const uint IFA_F_DADFAILED = 0x08;
    public const uint IFA_F_HOMEADDRESS = 0x10;
    public const uint IFA_F_DEPRECATED = 0x20;
    public const uint IFA_F_TENTATIVE = 0x40;
    public const uint IFA_F_PERMANENT = 0x80;
    public const uint IFA_F_MANAGETEMPADDR = 0x100;
    public const uint IFA_F_NOPREFIXROUTE = 0x200;
    public const uint IFA_F_MCAUTOJOIN = 0x400;
    public const uint IFA_F_STABLE_PRIVACY = 0x800;

    public const byte IFAPROT_UNSPEC = 0;
    public const byte IFAPROT_KERNEL_LO = 1;
    public const byte IFAPROT_KERNEL_RA = 2;
    public const byte IFAPROT_KERNEL_LL = 3;
}
