using System.Buffers.Binary;
using System.Security.Cryptography;
using Vipd.Core.Wire;

namespace Vipd.Core.Membership;

/// <summary>
/// The inline stand-in for member metadata larger than <see cref="WireFormat.MaxMetadataBytes"/> (or starting with
/// <see cref="Marker"/>): <c>[0xFF][u32 length][u64 hash]</c>, big-endian, where the hash is the first 8 bytes of
/// SHA-256 of the body. Alive and push/pull messages carry the reference; the body travels in metadata fragments.
/// </summary>
public static class MetadataReference
{
    /// <summary>The first byte of a reference (no node record format uses it).</summary>
    public const byte Marker = 0xFF;

    /// <summary>Bytes of a reference.</summary>
    public const int Size = 13;

    /// <summary>True when <paramref name="body"/> cannot ride inline and needs a reference.</summary>
    public static bool IsNeededFor(ReadOnlySpan<byte> body) =>
        body.Length > WireFormat.MaxMetadataBytes || (!body.IsEmpty && body[0] == Marker);

    /// <summary>The hash a reference names: the first 8 bytes of SHA-256 of <paramref name="body"/>.</summary>
    public static ulong Hash(ReadOnlySpan<byte> body)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body, digest);
        return BinaryPrimitives.ReadUInt64BigEndian(digest);
    }

    /// <summary>The reference to <paramref name="body"/>.</summary>
    public static byte[] Create(ReadOnlySpan<byte> body, out ulong hash)
    {
        hash = Hash(body);
        var reference = new byte[Size];
        reference[0] = Marker;
        BinaryPrimitives.WriteUInt32BigEndian(reference.AsSpan(1), (uint)body.Length);
        BinaryPrimitives.WriteUInt64BigEndian(reference.AsSpan(5), hash);
        return reference;
    }

    /// <summary>Reads a reference; false for inline metadata (or a malformed reference).</summary>
    public static bool TryRead(ReadOnlySpan<byte> inline, out int length, out ulong hash)
    {
        length = 0;
        hash = 0;
        if (inline.Length != Size || inline[0] != Marker)
        {
            return false;
        }

        var declared = BinaryPrimitives.ReadUInt32BigEndian(inline[1..]);
        if (declared is 0 or > WireFormat.MaxLargeMetadataBytes)
        {
            return false;
        }

        length = (int)declared;
        hash = BinaryPrimitives.ReadUInt64BigEndian(inline[5..]);
        return true;
    }
}
