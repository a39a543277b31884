using System.Collections.Concurrent;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Vipd.Core.Reconcile;

namespace Vipd.Linux.Neighbor;

/// <summary>
/// Sends gratuitous ARP (request, then reply with target MAC = sender MAC) through one send-only AF_PACKET socket
/// and unsolicited Neighbor Advertisements through one raw ICMPv6 socket (hop limit 255, checksum by the kernel, to
/// ff02::1 scoped to the link). Instead of one socket bound to each VIP, the source address and the outgoing
/// interface travel with each NA as IPV6_PKTINFO, so one socket serves every VIP and interface; the kernel checks
/// the source exactly as bind would: a VIP that is not on the node, or still tentative (add it with IFA_F_NODAD),
/// fails with EINVAL (errno 22). Sockets are opened in the constructor, so they belong to the network namespace of
/// the constructing thread; per-link state (sockaddr_ll, MAC, the forwarding sysctl's file) is cached by interface
/// index and rebuilt when the name or MAC changes. Thread-safe; no allocation per announcement once a link is
/// cached. The Router flag follows <c>/proc/sys/net/ipv6/conf/IF/forwarding</c>, read on every NA from a file
/// opened on first use (sysctl files show the network namespace of the thread that opens them).
/// </summary>
public sealed class NeighborAnnouncer : INeighborAnnouncer, IDisposable
{
    private const int MaxEintrRetries = 8; // a signal storm must not turn a send into a loop

    private readonly Socket _packet;
    private readonly Socket? _icmp;
    private readonly KernelException? _icmpUnavailable;
    private readonly ConcurrentDictionary<int, LinkState> _links = new();
    private readonly Lock _linkLock = new();
    private long _arpSent;
    private long _naSent;

    /// <summary>
    /// Opens the sockets (needs CAP_NET_RAW). Throws <see cref="KernelException"/> when the AF_PACKET socket cannot
    /// be opened; a host without IPv6 gets an announcer that throws only when asked to announce an IPv6 address.
    /// </summary>
    public NeighborAnnouncer()
    {
        try
        {
            // Protocol 0: the socket receives nothing; it only sends.
            _packet = new Socket(AddressFamily.Packet, SocketType.Raw, ProtocolType.Unspecified);
        }
        catch (SocketException ex)
        {
            throw new KernelException(SocketErrno.Of(ex), "open AF_PACKET socket", null, ex.Message);
        }

        try
        {
            _icmp = OpenIcmpSocket();
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressFamilyNotSupported)
        {
            // IPv6 disabled on this host (ipv6.disable=1): IPv4 announcements still work.
            _icmpUnavailable = new KernelException(SocketErrno.Of(ex), "open raw ICMPv6 socket", null, ex.Message);
        }
        catch (SocketException ex)
        {
            _packet.Dispose();
            throw new KernelException(SocketErrno.Of(ex), "open raw ICMPv6 socket", null, ex.Message);
        }
    }

    private static Socket OpenIcmpSocket()
    {
        var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Raw, ProtocolType.IcmpV6);
        try
        {
            Span<byte> value = stackalloc byte[4];
            MemoryMarshal.Write(value, 255);
            socket.SetRawSocketOption(NeighborNative.IpprotoIpv6, NeighborNative.Ipv6UnicastHops, value);
            socket.SetRawSocketOption(NeighborNative.IpprotoIpv6, NeighborNative.Ipv6MulticastHops, value);

            // This host has nothing to learn from its own announcement.
            MemoryMarshal.Write(value, 0);
            socket.SetRawSocketOption(NeighborNative.IpprotoIpv6, NeighborNative.Ipv6MulticastLoop, value);

            // A raw ICMPv6 socket gets a copy of every ICMPv6 packet: block them all (bit set = blocked).
            Span<byte> blockAll = stackalloc byte[32];
            blockAll.Fill(0xFF);
            socket.SetRawSocketOption(NeighborNative.IpprotoIcmpv6, NeighborNative.Icmp6Filter, blockAll);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Gratuitous ARP frames sent (two per IPv4 announcement).</summary>
    public long ArpSent => Interlocked.Read(ref _arpSent);

    /// <summary>Neighbor Advertisements sent.</summary>
    public long AdvertisementsSent => Interlocked.Read(ref _naSent);

    public void Announce(LinkInfo link, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(link);
        ArgumentNullException.ThrowIfNull(address);
        var state = GetState(link);
        switch (address.AddressFamily)
        {
            case AddressFamily.InterNetwork:
                AnnounceIPv4(state, ArpFrames.ToUInt32(address), address);
                break;
            case AddressFamily.InterNetworkV6:
                AnnounceIPv6(state, NeighborAdvertisement.ToUInt128(address), address);
                break;
            default:
                throw new ArgumentException($"Cannot announce {address}: not IPv4 or IPv6.", nameof(address));
        }
    }

    public void Dispose()
    {
        _packet.Dispose();
        _icmp?.Dispose();
        foreach (var state in _links.Values)
        {
            state.Forwarding?.Dispose();
        }
    }

    private void AnnounceIPv4(LinkState state, uint vip, IPAddress address)
    {
        Span<byte> frame = stackalloc byte[ArpFrames.FrameLength];
        ArpFrames.Write(frame, ArpFrames.OperationRequest, state.Mac, vip, MacAddress.Zero);
        SendFrame(state, frame, address, "send gratuitous ARP request");
        ArpFrames.Write(frame, ArpFrames.OperationReply, state.Mac, vip, state.Mac);
        SendFrame(state, frame, address, "send gratuitous ARP reply");
    }

    private unsafe void SendFrame(LinkState state, ReadOnlySpan<byte> frame, IPAddress address, string operation)
    {
        fixed (byte* data = frame)
        fixed (byte* destination = state.ArpDestination)
        {
            var handle = _packet.SafeHandle;
            var added = false;
            try
            {
                handle.DangerousAddRef(ref added);
                nint sent;
                var attempts = 0;
                do
                {
                    sent = NeighborNative.SendTo(handle.DangerousGetHandle(), data, (nuint)frame.Length, 0, destination, PacketEndPoint.Size);
                }
                while (sent < 0 && Marshal.GetLastPInvokeError() == NeighborNative.Eintr && ++attempts < MaxEintrRetries);

                if (sent < 0)
                {
                    throw KernelException.FromLastError($"{operation} for {address}", state.Name);
                }
            }
            finally
            {
                if (added)
                {
                    handle.DangerousRelease();
                }
            }
        }

        Interlocked.Increment(ref _arpSent);
    }

    private unsafe void AnnounceIPv6(LinkState state, UInt128 vip, IPAddress address)
    {
        if (_icmp is null)
        {
            throw new KernelException(_icmpUnavailable!.Errno, $"send Neighbor Advertisement for {address}", state.Name, _icmpUnavailable.KernelMessage);
        }

        Span<byte> payload = stackalloc byte[NeighborAdvertisement.PayloadLength];
        NeighborAdvertisement.Write(payload, vip, state.Mac, router: ReadForwarding(state));

        var destination = default(NeighborNative.SockaddrIn6);
        destination.Family = NeighborNative.AfInet6;
        NeighborAdvertisement.AllNodes.TryWriteBytes(destination.Address, out _);
        destination.ScopeId = (uint)state.Index;

        var control = stackalloc byte[NeighborNative.PktinfoControlSpace];
        new Span<byte>(control, NeighborNative.PktinfoControlSpace).Clear();
        var header = (NeighborNative.CmsgHdr*)control;
        header->Length = NeighborNative.PktinfoControlLength;
        header->Level = NeighborNative.IpprotoIpv6;
        header->Type = NeighborNative.Ipv6Pktinfo;
        var info = (NeighborNative.In6Pktinfo*)(control + sizeof(NeighborNative.CmsgHdr));
        address.TryWriteBytes(info->Address, out _);
        info->InterfaceIndex = state.Index;

        fixed (byte* data = payload)
        {
            var iov = new NeighborNative.IoVec { Base = data, Length = (nuint)payload.Length };
            var message = new NeighborNative.MsgHdr
            {
                Name = &destination,
                NameLength = (uint)sizeof(NeighborNative.SockaddrIn6),
                Iov = &iov,
                IovLength = 1,
                Control = control,
                ControlLength = NeighborNative.PktinfoControlSpace,
            };

            var handle = _icmp.SafeHandle;
            var added = false;
            try
            {
                handle.DangerousAddRef(ref added);
                nint sent;
                var attempts = 0;
                do
                {
                    sent = NeighborNative.SendMsg(handle.DangerousGetHandle(), &message, 0);
                }
                while (sent < 0 && Marshal.GetLastPInvokeError() == NeighborNative.Eintr && ++attempts < MaxEintrRetries);

                if (sent < 0)
                {
                    throw KernelException.FromLastError($"send Neighbor Advertisement for {address}", state.Name);
                }
            }
            finally
            {
                if (added)
                {
                    handle.DangerousRelease();
                }
            }
        }

        Interlocked.Increment(ref _naSent);
    }

    private static bool ReadForwarding(LinkState state)
    {
        var file = state.Forwarding;
        if (file is null)
        {
            return false;
        }

        Span<byte> buffer = stackalloc byte[8];
        try
        {
            var read = RandomAccess.Read(file, buffer, 0);
            return read > 0 && buffer[0] != (byte)'0';
        }
        catch (IOException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    private LinkState GetState(LinkInfo link)
    {
        if (_links.TryGetValue(link.Index, out var state) && state.Matches(link))
        {
            return state;
        }

        lock (_linkLock)
        {
            if (_links.TryGetValue(link.Index, out state) && state.Matches(link))
            {
                return state;
            }

            var fresh = LinkState.Create(link);
            _links[link.Index] = fresh;
            state?.Forwarding?.Dispose();
            return fresh;
        }
    }

    /// <summary>What an announcement on one link needs, computed once.</summary>
    private sealed class LinkState
    {
        private LinkState(int index, string name, PhysicalAddress source, MacAddress mac, byte[] arpDestination, SafeFileHandle? forwarding)
        {
            Index = index;
            Name = name;
            Source = source;
            Mac = mac;
            ArpDestination = arpDestination;
            Forwarding = forwarding;
        }

        public int Index { get; }

        public string Name { get; }

        public PhysicalAddress Source { get; }

        public MacAddress Mac { get; }

        /// <summary>The sockaddr_ll bytes to send ARP frames to (pinned).</summary>
        public byte[] ArpDestination { get; }

        public SafeFileHandle? Forwarding { get; }

        public static LinkState Create(LinkInfo link)
        {
            if (link.Mac.GetAddressBytes().Length != MacAddress.Length)
            {
                throw new ArgumentException($"Interface {link.Name} has no Ethernet address to announce from.", nameof(link));
            }

            var mac = MacAddress.From(link.Mac);
            var destination = GC.AllocateArray<byte>(PacketEndPoint.Size, pinned: true);
            new PacketEndPoint(ArpFrames.EtherTypeArp, link.Index, MacAddress.Broadcast).Serialize().Buffer.Span[..PacketEndPoint.Size].CopyTo(destination);
            SafeFileHandle? forwarding = null;
            if (!link.Name.Contains('/', StringComparison.Ordinal) && link.Name is not ("." or ".."))
            {
                try
                {
                    forwarding = File.OpenHandle($"/proc/sys/net/ipv6/conf/{link.Name}/forwarding", FileMode.Open, FileAccess.Read);
                }
                catch (IOException)
                {
                    // IPv6 disabled on the link, or no such interface here: announce without the Router flag.
                }
                catch (UnauthorizedAccessException)
                {
                }
            }

            return new LinkState(link.Index, link.Name, link.Mac, mac, destination, forwarding);
        }

        public bool Matches(LinkInfo link) =>
            string.Equals(link.Name, Name, StringComparison.Ordinal) && (ReferenceEquals(link.Mac, Source) || link.Mac.Equals(Source));
    }
}
