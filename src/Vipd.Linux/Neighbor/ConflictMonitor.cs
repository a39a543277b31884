using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vipd.Core.Reconcile;

namespace Vipd.Linux.Neighbor;

/// <summary>
/// Watches the link for other hosts claiming held addresses. ARP: an AF_PACKET socket bound to ETH_P_ARP on every
/// interface; a frame whose sender IP is held on the interface it arrived on, with a sender MAC that is not that
/// link's, is a conflict. IPv6: an AF_PACKET socket bound to ETH_P_IPV6 with a classic BPF filter that passes only
/// ICMPv6 type 136; an NA whose target is held, claiming a MAC (target link-layer option, else the Ethernet source)
/// that is not ours, is a conflict. Frames this host sent are skipped (PACKET_IGNORE_OUTGOING and PACKET_OUTGOING).
/// Sockets are opened in the constructor (in the constructing thread's network namespace); <see cref="Start"/> runs
/// one receive loop per socket on the thread pool; <see cref="Dispose"/> cancels them and closes the sockets.
/// </summary>
internal sealed class ConflictMonitor : IConflictMonitor
{
    private const int BufferSize = 2048;
    private static readonly TimeSpan ErrorBackoff = TimeSpan.FromMilliseconds(100); // a failing socket must not spin
    private static readonly TimeSpan DebugLogInterval = TimeSpan.FromSeconds(1);   // drops log at most this often

    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Socket _arp;
    private readonly Socket _ipv6;
    private readonly CancellationTokenSource _stop = new();
    private readonly long[] _drops = new long[Enum.GetValues<FrameDropReason>().Length];
    private volatile HeldSet _held = HeldSet.Empty;
    private Action<AddressConflict>? _onConflict;
    private Task[] _loops = [];
    private long _seen;
    private long _ignored;
    private long _malformed;
    private long _conflicts;
    private long _lastDebugLog;
    private int _disposed;

    public ConflictMonitor(TimeProvider? time = null, ILogger<ConflictMonitor>? logger = null)
    {
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _arp = OpenPacketSocket(ArpFrames.EtherTypeArp, filter: false);
        try
        {
            _ipv6 = OpenPacketSocket(NeighborAdvertisement.EtherTypeIPv6, filter: true);
        }
        catch
        {
            _arp.Dispose();
            throw;
        }
    }

    /// <summary>Frames received (ARP and IPv6).</summary>
    public long FramesSeen => Interlocked.Read(ref _seen);

    /// <summary>Well-formed frames that are not a conflict: ours, other addresses, other ICMPv6, other interfaces.</summary>
    public long FramesIgnored => Interlocked.Read(ref _ignored);

    /// <summary>Frames that failed to parse (too short, bad checksum, hop limit, options, length).</summary>
    public long FramesMalformed => Interlocked.Read(ref _malformed);

    /// <summary>Conflicts reported.</summary>
    public long Conflicts => Interlocked.Read(ref _conflicts);

    /// <summary>Whether the kernel filters IPv6 frames down to Neighbor Advertisements.</summary>
    public bool KernelFilterAttached { get; private set; }

    /// <summary>Frames dropped for <paramref name="reason"/> (ignored and malformed ones both).</summary>
    public long Dropped(FrameDropReason reason) => Interlocked.Read(ref _drops[(int)reason]);

    public void Watch(IReadOnlyCollection<HeldAddress> held)
    {
        ArgumentNullException.ThrowIfNull(held);
        _held = HeldSet.Create(held);
    }

    public void Start(Action<AddressConflict> onConflict)
    {
        ArgumentNullException.ThrowIfNull(onConflict);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.CompareExchange(ref _onConflict, onConflict, null) is not null)
        {
            throw new InvalidOperationException("The conflict monitor is already started.");
        }

        var ct = _stop.Token;
        _loops =
        [
            Task.Run(() => ReceiveLoopAsync(_arp, isArp: true, ct), CancellationToken.None),
            Task.Run(() => ReceiveLoopAsync(_ipv6, isArp: false, ct), CancellationToken.None),
        ];
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop.Cancel();
        _arp.Dispose();
        _ipv6.Dispose();
        try
        {
            Task.WaitAll(_loops, TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
            // The loops end by cancellation; nothing else to report.
        }

        _stop.Dispose();
    }

    /// <summary>Handles one received frame; internal so that unit tests can feed frames without a socket.</summary>
    internal void Process(ReadOnlySpan<byte> frame, int interfaceIndex, byte packetType, bool isArp)
    {
        Interlocked.Increment(ref _seen);
        if (packetType == PacketEndPoint.PacketOutgoing)
        {
            Interlocked.Increment(ref _ignored);
            return;
        }

        if (isArp)
        {
            ProcessArp(frame, interfaceIndex);
        }
        else
        {
            ProcessAdvertisement(frame, interfaceIndex);
        }
    }

    private void ProcessArp(ReadOnlySpan<byte> frame, int interfaceIndex)
    {
        var reason = ArpFrames.TryParse(frame, out var arp);
        if (reason != FrameDropReason.None)
        {
            Drop(reason, interfaceIndex, "ARP");
            return;
        }

        if (!_held.V4.TryGetValue((interfaceIndex, arp.SenderIp), out var held) || held.Mac == arp.SenderMac)
        {
            Interlocked.Increment(ref _ignored);
            return;
        }

        var kind = arp.Operation == ArpFrames.OperationReply ? ConflictKind.ArpReply : ConflictKind.ArpRequest;
        Report(new AddressConflict(held.Address, interfaceIndex, arp.SenderMac.ToPhysicalAddress(), kind), arp.SenderMac);
    }

    private void ProcessAdvertisement(ReadOnlySpan<byte> frame, int interfaceIndex)
    {
        var reason = NeighborAdvertisement.TryParseFrame(frame, out var na);
        if (reason != FrameDropReason.None)
        {
            Drop(reason, interfaceIndex, "IPv6");
            return;
        }

        var claimed = na.ClaimedMac;
        if (!_held.V6.TryGetValue((interfaceIndex, na.Target), out var held) || held.Mac == claimed)
        {
            Interlocked.Increment(ref _ignored);
            return;
        }

        Report(new AddressConflict(held.Address, interfaceIndex, claimed.ToPhysicalAddress(), ConflictKind.NeighborAdvertisement), claimed);
    }

    private void Report(AddressConflict conflict, MacAddress mac)
    {
        Interlocked.Increment(ref _conflicts);
        _logger.ConflictDetected(conflict.Address, mac.ToString(), conflict.InterfaceIndex, conflict.Kind.ToString());
        try
        {
            // A failing handler must not stop the listener; it is logged.
            _onConflict?.Invoke(conflict);
        }
        catch (Exception ex)
        {
            _logger.HandlerFailed(conflict.Address, ex.Message);
        }
    }

    private void Drop(FrameDropReason reason, int interfaceIndex, string kind)
    {
        Interlocked.Increment(ref _drops[(int)reason]);
        var malformed = reason is not (FrameDropReason.WrongEtherType or FrameDropReason.NotIcmpv6
            or FrameDropReason.NotNeighborAdvertisement or FrameDropReason.UnsupportedArp
            or FrameDropReason.UnsupportedArpOperation);
        Interlocked.Increment(ref malformed ? ref _malformed : ref _ignored);
        if (malformed && _logger.IsEnabled(LogLevel.Debug))
        {
            var now = _time.GetTimestamp();
            var last = Interlocked.Read(ref _lastDebugLog);
            if ((last == 0 || _time.GetElapsedTime(last, now) >= DebugLogInterval)
                && Interlocked.CompareExchange(ref _lastDebugLog, now, last) == last)
            {
                _logger.FrameDropped(kind, interfaceIndex, reason);
            }
        }
    }

    private async Task ReceiveLoopAsync(Socket socket, bool isArp, CancellationToken ct)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(BufferSize, pinned: true);
        var from = new SocketAddress(AddressFamily.Packet, PacketEndPoint.Size);
        while (!ct.IsCancellationRequested)
        {
            int length;
            try
            {
                length = await socket.ReceiveFromAsync(buffer, SocketFlags.None, from, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex)
            {
                _logger.ReceiveFailed(isArp ? "ARP" : "IPv6", ex.Message);
                try
                {
                    await Task.Delay(ErrorBackoff, _time, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            Process(buffer.AsSpan(0, length), PacketEndPoint.ReadInterfaceIndex(from), PacketEndPoint.ReadPacketType(from), isArp);
        }
    }

    private Socket OpenPacketSocket(ushort etherType, bool filter)
    {
        Socket socket;
        try
        {
            // Protocol 0 until bind: nothing is queued before the filter is in place.
            socket = new Socket(AddressFamily.Packet, SocketType.Raw, ProtocolType.Unspecified);
        }
        catch (SocketException ex)
        {
            throw new KernelException(ex.NativeErrorCode, $"open AF_PACKET socket for EtherType 0x{etherType:x4}", null, ex.Message);
        }

        try
        {
            Span<byte> one = [1, 0, 0, 0];
            try
            {
                socket.SetRawSocketOption(NeighborNative.SolPacket, NeighborNative.PacketIgnoreOutgoing, one);
            }
            catch (SocketException)
            {
                // Kernels before 4.20: frames we sent are skipped by their PACKET_OUTGOING type instead.
            }

            if (filter)
            {
                try
                {
                    NeighborAdvertisementFilter.Attach(socket);
                    KernelFilterAttached = true;
                }
                catch (SocketException ex)
                {
                    _logger.FilterUnavailable("IPv6", ex.Message);
                }
            }

            socket.Bind(new PacketEndPoint(etherType, interfaceIndex: 0));
            return socket;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new KernelException(ex.NativeErrorCode, $"bind AF_PACKET socket for EtherType 0x{etherType:x4}", null, ex.Message);
        }
    }

    /// <summary>An immutable lookup of held addresses by (interface index, address), swapped whole by Watch.</summary>
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
