namespace Vipd.Linux.Native;

/// <summary>Constants of linux/if_link.h (checked against the headers by a test).</summary>
internal static class IfLinkConstants
{
    public const ushort IFLA_UNSPEC = 0;
    public const ushort IFLA_ADDRESS = 1;
    public const ushort IFLA_BROADCAST = 2;
    public const ushort IFLA_IFNAME = 3;
    public const ushort IFLA_MTU = 4;
    public const ushort IFLA_LINK = 5;
    public const ushort IFLA_OPERSTATE = 16;
    public const ushort IFLA_EXT_MASK = 29;
}
