using System.Text;

namespace Vipd.Core.Election;

/// <summary>
/// Hashes that every node computes identically, on every platform and process (unlike <c>string.GetHashCode</c>,
/// which is randomised per process): FNV-1a 64 over UTF-8 bytes, then the MurmurHash3 64-bit finaliser so that
/// names differing only in their last character still spread over the whole range. Changing either function moves
/// VIPs between nodes in a mixed-version cluster: the fixed test vectors guard it.
/// </summary>
public static class StableHash
{
    private const ulong FnvOffset = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;

    /// <summary>The 64-bit hash of the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static ulong Hash64(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var hash = Mix(FnvOffset, text);
        return Finalise(hash);
    }

    /// <summary>
    /// The rendezvous (highest-random-weight) score of <paramref name="node"/> for <paramref name="vip"/>: the hash
    /// of the UTF-8 bytes of <c>vip + "\0" + node</c>. The highest score wins among equal priorities.
    /// </summary>
    public static ulong Rendezvous(string vip, string node)
    {
        ArgumentNullException.ThrowIfNull(vip);
        ArgumentNullException.ThrowIfNull(node);
        var hash = Mix(FnvOffset, vip);
        hash = (hash ^ 0) * FnvPrime;
        hash = Mix(hash, node);
        return Finalise(hash);
    }

    /// <summary>The compact 32-bit id of a VIP name used in node records (the low half of <see cref="Hash64"/>).</summary>
    public static uint VipId(string vipName) => unchecked((uint)Hash64(vipName));

    private static ulong Mix(ulong hash, string text)
    {
        // ASCII (the common case: node and VIP names) hashes straight from the chars; anything else as UTF-8 bytes.
        var ascii = true;
        foreach (var c in text)
        {
            if (c >= 0x80)
            {
                ascii = false;
                break;
            }
        }

        if (ascii)
        {
            foreach (var c in text)
            {
                hash = unchecked((hash ^ c) * FnvPrime);
            }

            return hash;
        }

        Span<byte> buffer = stackalloc byte[256];
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        var bytes = max <= buffer.Length ? buffer : new byte[max];
        var length = Encoding.UTF8.GetBytes(text, bytes);
        foreach (var b in bytes[..length])
        {
            hash = unchecked((hash ^ b) * FnvPrime);
        }

        return hash;
    }

    private static ulong Finalise(ulong k)
    {
        unchecked
        {
            k ^= k >> 33;
            k *= 0xff51afd7ed558ccdUL;
            k ^= k >> 33;
            k *= 0xc4ceb9fe1a85ec53UL;
            k ^= k >> 33;
            return k;
        }
    }
}
