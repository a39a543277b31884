using System.Buffers.Binary;

namespace Vipd.Benchmarks;

/// <summary>
/// Frames and bytes of an Ethernet pcap file, in total and by kind (arp, gossip = UDP port 7450, ipv4, icmpv6, ipv6,
/// other). <see cref="FrameBytes"/> counts whole Ethernet frames as a switch port's octet counters do: padded to the
/// 64-byte minimum, FCS included (a veth counts them without padding and FCS). <see cref="LineBytes"/> adds what each
/// frame also occupies on the line: preamble and start delimiter (8) and the inter-frame gap (12).
/// </summary>
internal sealed class PcapSummary
{
    /// <summary>Frame check sequence.</summary>
    public const int Fcs = 4;

    /// <summary>Preamble/SFD 8 + inter-frame gap 12.</summary>
    public const int LineOverhead = 20;

    /// <summary>The shortest frame without FCS: shorter ones are padded.</summary>
    public const int MinimumFrame = 60;

    private const int GossipPort = 7450;

    public long Frames { get; private set; }

    public long Bytes { get; private set; }

    public long FrameBytes { get; private set; }

    public long LineBytes => FrameBytes + (Frames * LineOverhead);

    /// <summary>Gossip frames by length (as the kernel counts it).</summary>
    public Dictionary<int, long> GossipSizes { get; } = [];

    public Dictionary<string, (long Frames, long FrameBytes)> ByKind { get; } = new(StringComparer.Ordinal);

    /// <summary>The Ethernet frame (padded, with FCS) of a packet the kernel counts as <paramref name="length"/> bytes.</summary>
    public static int Frame(int length) => Math.Max(length, MinimumFrame) + Fcs;

    public static PcapSummary Read(string path)
    {
        var data = File.ReadAllBytes(path);
        var summary = new PcapSummary();
        if (data.Length < 24)
        {
            return summary;
        }

        var magic = BinaryPrimitives.ReadUInt32LittleEndian(data);
        var little = magic is 0xa1b2c3d4 or 0xa1b23c4d;
        uint Read32(int offset) => little ? BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset)) : BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(offset));
        var position = 24;
        while (position + 16 <= data.Length)
        {
            var captured = (int)Read32(position + 8);
            var original = (int)Read32(position + 12);
            position += 16;
            if (captured < 0 || position + captured > data.Length)
            {
                break;
            }

            summary.Add(data.AsSpan(position, captured), original);
            position += captured;
        }

        return summary;
    }

    private static string Kind(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 14)
        {
            return "other";
        }

        var type = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
        switch (type)
        {
            case 0x0806:
                return "arp";
            case 0x0800 when frame.Length >= 34:
                var headerLength = (frame[14] & 0x0f) * 4;
                if (frame[23] == 17 && frame.Length >= 14 + headerLength + 4)
                {
                    var destination = BinaryPrimitives.ReadUInt16BigEndian(frame[(14 + headerLength + 2)..]);
                    return destination == GossipPort ? "gossip" : "udp";
                }

                return "ipv4";
            case 0x86DD when frame.Length >= 54:
                return frame[20] == 58 ? "icmpv6" : "ipv6";
            default:
                return "other";
        }
    }

    private void Add(ReadOnlySpan<byte> frame, int length)
    {
        var wire = Frame(length);
        Frames++;
        Bytes += length;
        FrameBytes += wire;
        var kind = Kind(frame);
        var (frames, bytes) = ByKind.GetValueOrDefault(kind);
        ByKind[kind] = (frames + 1, bytes + wire);
        if (kind == "gossip")
        {
            GossipSizes[length] = GossipSizes.GetValueOrDefault(length) + 1;
        }
    }
}
