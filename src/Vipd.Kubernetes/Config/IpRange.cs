using System.Net;
using System.Net.Sockets;

namespace Vipd.Kubernetes.Config;

/// <summary>An inclusive range of addresses of one family, as 128-bit numbers (IPv4 in the low 32 bits).</summary>
internal readonly record struct IpRange(AddressFamily Family, UInt128 First, UInt128 Last)
{
    public bool Contains(IPAddress address) =>
        address.AddressFamily == Family && ToNumber(address) is var n && n >= First && n <= Last;

    public static UInt128 ToNumber(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var bytes = address.GetAddressBytes();
        UInt128 n = 0;
        foreach (var b in bytes)
        {
            n = (n << 8) | b;
        }

        return n;
    }

    public static IPAddress FromNumber(UInt128 n, AddressFamily family)
    {
        var length = family == AddressFamily.InterNetwork ? 4 : 16;
        var bytes = new byte[length];
        for (var i = length - 1; i >= 0; i--)
        {
            bytes[i] = (byte)(n & 0xff);
            n >>= 8;
        }

        return new IPAddress(bytes);
    }

    public override string ToString() => $"{FromNumber(First, Family)}-{FromNumber(Last, Family)}";
}
