using System.Buffers.Binary;
using System.Net.NetworkInformation;

namespace Vipd.Linux.Neighbor;

/// <summary>A 48-bit Ethernet address held in a <see cref="ulong"/>, so that parsing and comparing allocate nothing.</summary>
/// <param name="Value">The six bytes in network order in the low 48 bits.</param>
internal readonly record struct MacAddress(ulong Value)
{
    /// <summary>The length of an Ethernet address in bytes.</summary>
    public const int Length = 6;

    /// <summary>ff:ff:ff:ff:ff:ff.</summary>
    public static MacAddress Broadcast { get; } = new(0xFFFF_FFFF_FFFFUL);

    /// <summary>00:00:00:00:00:00.</summary>
    public static MacAddress Zero { get; }

    /// <summary>Reads six bytes; <paramref name="source"/> must hold at least six.</summary>
    public static MacAddress Read(ReadOnlySpan<byte> source) =>
        new(((ulong)BinaryPrimitives.ReadUInt16BigEndian(source) << 32) | BinaryPrimitives.ReadUInt32BigEndian(source[2..]));

    /// <summary>Converts a 6-byte <see cref="PhysicalAddress"/> (allocates a copy); throws for any other length.</summary>
    public static MacAddress From(PhysicalAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var bytes = address.GetAddressBytes();
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"Expected a 6-byte Ethernet address, got {bytes.Length} bytes.", nameof(address));
        }

        return Read(bytes);
    }

    /// <summary>Writes the six bytes to <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(Value >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..], (uint)Value);
    }

    /// <summary>Converts to a <see cref="PhysicalAddress"/> (allocates; for reports, not the hot path).</summary>
    public PhysicalAddress ToPhysicalAddress()
    {
        var bytes = new byte[Length];
        Write(bytes);
        return new PhysicalAddress(bytes);
    }

    public override string ToString()
    {
        Span<byte> b = stackalloc byte[Length];
        Write(b);
        return $"{b[0]:x2}:{b[1]:x2}:{b[2]:x2}:{b[3]:x2}:{b[4]:x2}:{b[5]:x2}";
    }
}
