using System.Buffers.Binary;
using System.Net;
using Vipd.Core.Reconcile;
using Vipd.Linux.Netlink;

namespace Vipd.Linux.Tests.Netlink;

/// <summary>Notifications carry the same messages as dumps (sequence 0): the captured dump stands in for them.</summary>
public sealed class NetlinkMonitorDecodeTests
{
    [Fact]
    public void Decode_NewAddr_AddressAdded()
    {
        var changes = new List<NetworkChange>();

        NetlinkMonitor.Decode(Captured.Bytes(Captured.AddressDump), changes);

        Assert.Equal(
            [
                new NetworkChange(NetworkChangeKind.AddressAdded, 1, IPAddress.Parse("127.0.0.1"), 8),
                new NetworkChange(NetworkChangeKind.AddressAdded, 3, IPAddress.Parse("192.0.2.11"), 24),
                new NetworkChange(NetworkChangeKind.AddressAdded, 3, IPAddress.Parse("192.0.2.200"), 24),
                new NetworkChange(NetworkChangeKind.AddressAdded, 3, IPAddress.Parse("2001:db8::200"), 64),
            ],
            changes);
    }

    [Fact]
    public void Decode_DelAddr_AddressRemoved()
    {
        var bytes = FirstMessage(Captured.AddressDump);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), 21); // RTM_DELADDR
        var changes = new List<NetworkChange>();

        NetlinkMonitor.Decode(bytes, changes);

        Assert.Equal([new NetworkChange(NetworkChangeKind.AddressRemoved, 1, IPAddress.Parse("127.0.0.1"), 8)], changes);
    }

    [Fact]
    public void Decode_NewLink_LinkChangedWithState()
    {
        var changes = new List<NetworkChange>();

        NetlinkMonitor.Decode(Captured.Bytes(Captured.LinkDumpEth0), changes);

        Assert.Contains(new NetworkChange(NetworkChangeKind.LinkChanged, 3, LinkUp: true), changes);
        Assert.DoesNotContain(changes, c => c.InterfaceIndex == 0);
    }

    [Fact]
    public void Decode_LinkLostCarrier_LinkChangedDown()
    {
        var bytes = FirstMessage(Captured.LinkDumpEth0);
        var flags = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16 + 8));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(16 + 8), flags & ~0x10000u); // clear IFF_LOWER_UP
        var changes = new List<NetworkChange>();

        NetlinkMonitor.Decode(bytes, changes);

        Assert.Equal([new NetworkChange(NetworkChangeKind.LinkChanged, 3, LinkUp: false)], changes);
    }

    [Fact]
    public void Decode_DelLink_LinkRemoved()
    {
        var bytes = FirstMessage(Captured.LinkDumpEth0);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), 17); // RTM_DELLINK
        var changes = new List<NetworkChange>();

        NetlinkMonitor.Decode(bytes, changes);

        Assert.Equal([new NetworkChange(NetworkChangeKind.LinkRemoved, 3)], changes);
    }

    [Fact]
    public void Decode_Garbage_NoChangesNoThrow()
    {
        var random = new Random(7);
        var changes = new List<NetworkChange>();
        var dump = Captured.Bytes(Captured.AddressDump);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = (byte[])dump.Clone();
            bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            NetlinkMonitor.Decode(bytes.AsSpan(0, random.Next(bytes.Length)), changes);
        }

        Assert.True(NetlinkMonitor.Decode(Convert.FromHexString("FFFFFFFF1400000000000000"), changes) == 0);
    }

    private static byte[] FirstMessage(string hex)
    {
        var bytes = Captured.Bytes(hex);
        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        return bytes[..length];
    }
}
