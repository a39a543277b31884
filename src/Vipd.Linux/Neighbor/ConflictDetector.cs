using System.Net;
using System.Net.Sockets;
using Vipd.Core.Reconcile;

namespace Vipd.Linux.Neighbor;

/// <summary>
/// The pure half of the conflict monitor: given the held addresses, decides for one received frame whether it is
/// another host's claim on one of them, and counts what it saw. Thread-safe: <see cref="Watch"/> swaps an immutable
/// lookup; <see cref="Inspect"/> allocates only when it reports a conflict.
/// </summary>
internal sealed class ConflictDetector
{
    private readonly long[] _drops = new long[Enum.GetValues<FrameDropReason>().Length];
    private volatile HeldSet _held = HeldSet.Empty;
    private long _seen;
    private long _ignored;
    private long _malformed;
    private long _conflicts;

    /// <summary>Frames inspected (ARP and IPv6).</summary>
    public long FramesSeen => Interlocked.Read(ref _seen);

    /// <summary>
    /// Frames that are not a conflict and not malformed: sent by us, for addresses not held, carrying our MAC, on
    /// another interface, other ARP hardware or operations, other ICMPv6.
    /// </summary>
    public long FramesIgnored => Interlocked.Read(ref _ignored);

    /// <summary>Frames that failed to parse: too short, bad length, checksum, hop limit or options.</summary>
    public long FramesMalformed => Interlocked.Read(ref _malformed);

    /// <summary>Conflicts found.</summary>
    public long Conflicts => Interlocked.Read(ref _conflicts);

    /// <summary>Frames dropped by a parser for <paramref name="reason"/> (ignored and malformed ones both).</summary>
    public long Dropped(FrameDropReason reason) => Interlocked.Read(ref _drops[(int)reason]);

    /// <summary>Whether a parser's <paramref name="reason"/> counts as malformed (rather than merely not for us).</summary>
    public static bool IsMalformed(FrameDropReason reason) =>
        reason is not (FrameDropReason.None or FrameDropReason.WrongEtherType or FrameDropReason.NotIcmpv6
            or FrameDropReason.NotNeighborAdvertisement or FrameDropReason.UnsupportedArp
            or FrameDropReason.UnsupportedArpOperation);

    /// <summary>Replaces the held addresses. Links without a 6-byte MAC compare against 00:00:00:00:00:00.</summary>
    public void Watch(IReadOnlyCollection<HeldAddress> held)
    {
        ArgumentNullException.ThrowIfNull(held);
        _held = HeldSet.Create(held);
    }

    /// <summary>Inspects one received Ethernet frame.</summary>
    /// <param name="frame">The frame, Ethernet header included.</param>
    /// <param name="interfaceIndex">The interface it arrived on (sll_ifindex).</param>
    /// <param name="packetType">sll_pkttype; PACKET_OUTGOING frames are ours and ignored.</param>
    /// <param name="isArp">Whether it came from the ARP socket (else the IPv6 one).</param>
    /// <param name="reason">Why the frame was dropped by its parser, or <see cref="FrameDropReason.None"/>.</param>
    /// <returns>The conflict, or null.</returns>
    public AddressConflict? Inspect(ReadOnlySpan<byte> frame, int interfaceIndex, byte packetType, bool isArp, out FrameDropReason reason)
    {
        Interlocked.Increment(ref _seen);
        reason = FrameDropReason.None;
        if (packetType == PacketEndPoint.PacketOutgoing)
        {
            Interlocked.Increment(ref _ignored);
            return null;
        }

        return isArp ? InspectArp(frame, interfaceIndex, out reason) : InspectAdvertisement(frame, interfaceIndex, out reason);
    }

    private AddressConflict? InspectArp(ReadOnlySpan<byte> frame, int interfaceIndex, out FrameDropReason reason)
    {
        reason = ArpFrames.TryParse(frame, out var arp);
        if (reason != FrameDropReason.None)
        {
            return Drop(reason);
        }

        if (!_held.V4.TryGetValue((interfaceIndex, arp.SenderIp), out var held) || held.Mac == arp.SenderMac)
        {
            Interlocked.Increment(ref _ignored);
            return null;
        }

        Interlocked.Increment(ref _conflicts);
        var kind = arp.Operation == ArpFrames.OperationReply ? ConflictKind.ArpReply : ConflictKind.ArpRequest;
        return new AddressConflict(held.Address, interfaceIndex, arp.SenderMac.ToPhysicalAddress(), kind);
    }

    private AddressConflict? InspectAdvertisement(ReadOnlySpan<byte> frame, int interfaceIndex, out FrameDropReason reason)
    {
        reason = NeighborAdvertisement.TryParseFrame(frame, out var na);
        if (reason != FrameDropReason.None)
        {
            return Drop(reason);
        }

        var claimed = na.ClaimedMac;
        if (!_held.V6.TryGetValue((interfaceIndex, na.Target), out var held) || held.Mac == claimed)
        {
            Interlocked.Increment(ref _ignored);
            return null;
        }

        Interlocked.Increment(ref _conflicts);
        return new AddressConflict(held.Address, interfaceIndex, claimed.ToPhysicalAddress(), ConflictKind.NeighborAdvertisement);
    }

    private AddressConflict? Drop(FrameDropReason reason)
    {
        Interlocked.Increment(ref _drops[(int)reason]);
        Interlocked.Increment(ref IsMalformed(reason) ? ref _malformed : ref _ignored);
        return null;
    }

    /// <summary>An immutable lookup of held addresses by (interface index, address).</summary>
    private sealed class HeldSet
    {
        private HeldSet(Dictionary<(int, uint), Held> v4, Dictionary<(int, UInt128), Held> v6)
        {
            V4 = v4;
            V6 = v6;
        }

        public static HeldSet Empty { get; } = new([], []);

        public Dictionary<(int, uint), Held> V4 { get; }

        public Dictionary<(int, UInt128), Held> V6 { get; }

        public static HeldSet Create(IReadOnlyCollection<HeldAddress> held)
        {
            var v4 = new Dictionary<(int, uint), Held>();
            var v6 = new Dictionary<(int, UInt128), Held>();
            foreach (var (link, address) in held)
            {
                var mac = link.Mac.GetAddressBytes().Length == MacAddress.Length ? MacAddress.From(link.Mac) : MacAddress.Zero;
                if (address.AddressFamily == AddressFamily.InterNetwork)
                {
                    v4[(link.Index, ArpFrames.ToUInt32(address))] = new Held(address, mac);
                }
                else if (address.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    v6[(link.Index, NeighborAdvertisement.ToUInt128(address))] = new Held(address, mac);
                }
            }

            return new HeldSet(v4, v6);
        }
    }

    /// <summary>A held address and the MAC of its link.</summary>
    private readonly record struct Held(IPAddress Address, MacAddress Mac);
}
