namespace Vipd.Linux.Native;

/// <summary>Interface flags of linux/if.h (checked against the headers by a test).</summary>
internal static class IfConstants
{
    public const uint IFF_UP = 0x1;
    public const uint IFF_BROADCAST = 0x2;
    public const uint IFF_LOOPBACK = 0x8;
    public const uint IFF_POINTOPOINT = 0x10;
    public const uint IFF_RUNNING = 0x40;
    public const uint IFF_NOARP = 0x80;
    public const uint IFF_MULTICAST = 0x1000;
    public const uint IFF_LOWER_UP = 0x10000;
    public const uint IFF_DORMANT = 0x20000;

    public const int IFNAMSIZ = 16;
}
