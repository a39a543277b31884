using System.Net.Sockets;

namespace Vipd.Linux.Neighbor;

/// <summary>
/// A classic BPF program for an AF_PACKET socket bound to ETH_P_IPV6 that passes only ICMPv6 Neighbor
/// Advertisements without extension headers: next header (frame offset 20) = 58 and ICMPv6 type (offset 54) = 136.
/// </summary>
internal static class NeighborAdvertisementFilter
{
    private const ushort LoadByteAbsolute = 0x30; // BPF_LD | BPF_B | BPF_ABS
    private const ushort JumpIfEqual = 0x15;      // BPF_JMP | BPF_JEQ | BPF_K
    private const ushort Return = 0x06;           // BPF_RET | BPF_K

    /// <summary>The program, for tests.</summary>
    internal static NeighborNative.SockFilter[] Program { get; } =
    [
        new(LoadByteAbsolute, 0, 0, 20),
        new(JumpIfEqual, 0, 3, NeighborAdvertisement.NextHeaderIcmpv6),
        new(LoadByteAbsolute, 0, 0, NeighborAdvertisement.IcmpOffsetInFrame),
        new(JumpIfEqual, 0, 1, NeighborAdvertisement.Type),
        new(Return, 0, 0, 0xFFFF), // accept, up to 65535 bytes
        new(Return, 0, 0, 0),      // drop
    ];

    /// <summary>Attaches the program with SO_ATTACH_FILTER; throws <see cref="SocketException"/> on failure.</summary>
    public static unsafe void Attach(Socket socket)
    {
        fixed (NeighborNative.SockFilter* filter = Program)
        {
            var program = new NeighborNative.SockFprog { Length = (ushort)Program.Length, Filter = filter };
            socket.SetRawSocketOption(
                NeighborNative.SolSocket,
                NeighborNative.SoAttachFilter,
                new ReadOnlySpan<byte>(&program, sizeof(NeighborNative.SockFprog)));
        }
    }
}
