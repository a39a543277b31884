using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Vipd.Linux.Neighbor;

namespace Vipd.Linux.Tests.Neighbor;

public class NativeLayoutTests
{
    [Fact]
    public void Structs_Sizes_MatchLinuxLp64()
    {
        Assert.Equal(56, Unsafe.SizeOf<NeighborNative.MsgHdr>());
        Assert.Equal(16, Unsafe.SizeOf<NeighborNative.IoVec>());
        Assert.Equal(16, Unsafe.SizeOf<NeighborNative.CmsgHdr>());
        Assert.Equal(20, Unsafe.SizeOf<NeighborNative.In6Pktinfo>());
        Assert.Equal(28, Unsafe.SizeOf<NeighborNative.SockaddrIn6>());
        Assert.Equal(8, Unsafe.SizeOf<NeighborNative.SockFilter>());
        Assert.Equal(16, Unsafe.SizeOf<NeighborNative.SockFprog>());
    }

    [Fact]
    public void PktinfoControl_Lengths_AreCmsgLenAndSpace()
    {
        var header = Unsafe.SizeOf<NeighborNative.CmsgHdr>();
        var data = Unsafe.SizeOf<NeighborNative.In6Pktinfo>();
        Assert.Equal(NeighborNative.PktinfoControlLength, header + data);
        Assert.Equal(NeighborNative.PktinfoControlSpace, header + ((data + 7) & ~7));
    }

    [Fact]
    public void PacketEndPoint_Serialize_WritesSockaddrLl()
    {
        var endPoint = new PacketEndPoint(0x0806, 7, MacAddress.Broadcast);
        var address = endPoint.Serialize();
        var bytes = address.Buffer.Span[..PacketEndPoint.Size].ToArray();
        byte[] expected =
        [
            17, 0,                         // AF_PACKET, native order
            0x08, 0x06,                    // ETH_P_ARP, big-endian
            7, 0, 0, 0,                    // ifindex, native
            0, 0,                          // hatype
            0,                             // pkttype
            6,                             // halen
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0,
        ];
        Assert.Equal(AddressFamily.Packet, address.Family);
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void PacketEndPoint_Create_ReadsIndexTypeAndAddress()
    {
        var address = new PacketEndPoint(0x86DD, 3, MacAddress.Read([2, 0, 0, 0, 0, 0x0d]), PacketEndPoint.PacketOutgoing).Serialize();
        var parsed = (PacketEndPoint)new PacketEndPoint(0, 0).Create(address);
        Assert.Equal(0x86DD, parsed.Protocol);
        Assert.Equal(3, parsed.InterfaceIndex);
        Assert.Equal(PacketEndPoint.PacketOutgoing, parsed.PacketType);
        Assert.Equal("02:00:00:00:00:0d", parsed.HardwareAddress?.ToString());
        Assert.Equal(3, PacketEndPoint.ReadInterfaceIndex(address));
        Assert.Equal(PacketEndPoint.PacketOutgoing, PacketEndPoint.ReadPacketType(address));
    }

    [Fact]
    public void NeighborAdvertisementFilter_Program_AcceptsOnlyIcmpv6Type136()
    {
        // Run the classic BPF program over frames with a tiny interpreter of the three opcodes it uses.
        var na = NeighborAdvertisementTests.BuildFrame(System.Net.IPAddress.Parse("2001:db8::200"), System.Net.NetworkInformation.PhysicalAddress.Parse("02-00-00-00-00-0B"), false);
        var ns = na.ToArray();
        ns[54] = 135;
        var udp = na.ToArray();
        udp[20] = 17;
        Assert.NotEqual(0u, RunFilter(na));
        Assert.Equal(0u, RunFilter(ns));
        Assert.Equal(0u, RunFilter(udp));
        Assert.Equal(0u, RunFilter(na.AsSpan(0, 40).ToArray())); // out-of-bounds load drops, as in the kernel
    }

    [Fact]
    public void MacAddress_RoundTrips()
    {
        var mac = MacAddress.From(System.Net.NetworkInformation.PhysicalAddress.Parse("02-00-5E-10-20-30"));
        Assert.Equal(0x02005E102030UL, mac.Value);
        Assert.Equal("02:00:5e:10:20:30", mac.ToString());
        Assert.Equal(System.Net.NetworkInformation.PhysicalAddress.Parse("02-00-5E-10-20-30"), mac.ToPhysicalAddress());
    }

    private static uint RunFilter(byte[] frame)
    {
        var program = NeighborAdvertisementFilter.Program;
        uint a = 0;
        for (var pc = 0; pc < program.Length; pc++)
        {
            var insn = program[pc];
            switch (insn.Code)
            {
                case 0x30:
                    if (insn.K >= frame.Length)
                    {
                        return 0;
                    }

                    a = frame[insn.K];
                    break;
                case 0x15:
                    pc += a == insn.K ? insn.JumpTrue : insn.JumpFalse;
                    break;
                case 0x06:
                    return insn.K;
                default:
                    throw new InvalidOperationException($"opcode {insn.Code:x}");
            }
        }

        throw new InvalidOperationException("fell off the end");
    }
}
