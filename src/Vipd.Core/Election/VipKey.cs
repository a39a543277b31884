using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Vipd.Core.Election;

/// <summary>
/// A VIP's identity in node records: the first 8 bytes (big-endian) of SHA-256 over its name in UTF-8. Replaces
/// format 1's 32-bit id (<see cref="StableHash.VipId"/>), which a Service author could brute-force to collide with a
/// configured VIP so that neither had an owner: finding a second name with a given 64-bit SHA-256 prefix takes about
/// 2^64 hashes, and two of 10,000 names collide by chance with odds of about 3 in 10^12. A collision is still
/// detected and refused where VIPs are added (config, API) and reported by the cluster node.
/// </summary>
public static class VipKey
{
    /// <summary>The key of the VIP named <paramref name="name"/>.</summary>
    public static ulong Of(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var byteCount = Encoding.UTF8.GetByteCount(name);
        if (byteCount <= 256)
        {
            Span<byte> utf8 = stackalloc byte[byteCount];
            Encoding.UTF8.GetBytes(name, utf8);
            SHA256.HashData(utf8, hash);
        }
        else
        {
            SHA256.HashData(Encoding.UTF8.GetBytes(name), hash);
        }

        return BinaryPrimitives.ReadUInt64BigEndian(hash);
    }
}
