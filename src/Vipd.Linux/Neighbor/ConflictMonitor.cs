using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vipd.Core.Reconcile;

namespace Vipd.Linux.Neighbor;

/// <summary>
/// Watches the links for other hosts claiming held addresses. ARP: an AF_PACKET socket bound to ETH_P_ARP on every
/// interface; a frame whose sender IP is held on the interface it arrived on, with a sender MAC that is not that
/// link's, is a conflict. IPv6: an AF_PACKET socket bound to ETH_P_IPV6 with a classic BPF filter that passes only
/// ICMPv6 type 136; an NA whose target is held, claiming a MAC (target link-layer option, else the Ethernet source)
/// that is not ours, is a conflict. Frames this host sent are skipped (PACKET_IGNORE_OUTGOING and PACKET_OUTGOING).
/// The decisions and counters are <see cref="ConflictDetector"/>'s. Sockets are opened in the constructor (in the
/// constructing thread's network namespace); <see cref="Start"/> runs one receive loop per socket on the thread
/// pool; <see cref="Dispose"/> cancels them and closes the sockets.
/// </summary>
public sealed class ConflictMonitor : IConflictMonitor
{
    private const int BufferSize = 2048;
    private static readonly TimeSpan ErrorBackoff = TimeSpan.FromMilliseconds(100); // a failing socket must not spin
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(1);        // drops and conflicts log at most this often
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(2);        // loops end at once when cancelled

    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Socket _arp;
    private readonly Socket _ipv6;
    private readonly CancellationTokenSource _stop = new();
    private Action<AddressConflict>? _onConflict;
    private Task[] _loops = [];
    private long _receiveErrors;
    private long _lastDebugLog;
    private long _lastConflictLog;
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

    /// <summary>The decisions and the frame counters (seen, ignored, malformed, conflicts, drops by reason).</summary>
    internal ConflictDetector Detector { get; } = new();

    /// <summary>Frames received (ARP and IPv6 Neighbor Advertisements).</summary>
    public long FramesSeen => Detector.FramesSeen;

    /// <summary>Frames that are no conflict and not malformed (ours, addresses not held, other interfaces).</summary>
    public long FramesIgnored => Detector.FramesIgnored;

    /// <summary>Frames that failed to parse (too short, bad length, checksum, hop limit or options).</summary>
    public long FramesMalformed => Detector.FramesMalformed;

    /// <summary>Conflicts reported.</summary>
    public long Conflicts => Detector.Conflicts;

    /// <summary>Receive calls that failed (each logged, then retried after a pause).</summary>
    public long ReceiveErrors => Interlocked.Read(ref _receiveErrors);

    /// <summary>The text of the last receive failure, for diagnostics.</summary>
    public string? LastReceiveError { get; private set; }

    /// <summary>Whether the kernel filters IPv6 frames down to Neighbor Advertisements.</summary>
    public bool KernelFilterAttached { get; private set; }

    public void Watch(IReadOnlyCollection<HeldAddress> held) => Detector.Watch(held);

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
            Task.WaitAll(_loops, StopTimeout);
        }
        catch (AggregateException)
        {
            // The loops end by cancellation; nothing else to report.
        }

        _stop.Dispose();
    }

    private void Handle(ReadOnlySpan<byte> frame, int interfaceIndex, byte packetType, bool isArp)
    {
        var conflict = Detector.Inspect(frame, interfaceIndex, packetType, isArp, out var reason);
        if (conflict is null)
        {
            if (ConflictDetector.IsMalformed(reason))
            {
                LogDrop(isArp, interfaceIndex, reason);
            }

            return;
        }

        if (TryTakeLogSlot(ref _lastConflictLog))
        {
            // At most one line a second: two hosts fighting over an address would otherwise flood the log.
            _logger.ConflictDetected(conflict.Address, conflict.ForeignMac.ToString(), conflict.InterfaceIndex, conflict.Kind.ToString());
        }
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

    private void LogDrop(bool isArp, int interfaceIndex, FrameDropReason reason)
    {
        if (_logger.IsEnabled(LogLevel.Debug) && TryTakeLogSlot(ref _lastDebugLog))
        {
            _logger.FrameDropped(isArp ? "ARP" : "IPv6", interfaceIndex, reason);
        }
    }

    /// <summary>True at most once per <see cref="LogInterval"/> for one <paramref name="last"/> timestamp.</summary>
    private bool TryTakeLogSlot(ref long last)
    {
        var now = _time.GetTimestamp();
        var previous = Interlocked.Read(ref last);
        return (previous == 0 || _time.GetElapsedTime(previous, now) >= LogInterval)
            && Interlocked.CompareExchange(ref last, now, previous) == previous;
    }

    private async Task ReceiveLoopAsync(Socket socket, bool isArp, CancellationToken ct)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(BufferSize, pinned: true);

        // The BCL wants room for the family's largest address, more than sizeof(struct sockaddr_ll).
        // A receive shrinks Size to what the kernel wrote (18 for Ethernet): restore it before the next one.
        var capacity = Math.Max(PacketEndPoint.Size, SocketAddress.GetMaximumAddressSize(AddressFamily.Packet));
        var from = new SocketAddress(AddressFamily.Packet, capacity);
        while (!ct.IsCancellationRequested)
        {
            int length;
            try
            {
                from.Size = capacity;
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
            catch (Exception ex)
            {
                // Anything else is logged and retried after a pause: the listener must not end silently.
                Interlocked.Increment(ref _receiveErrors);
                LastReceiveError = $"{(isArp ? "ARP" : "IPv6")}: {ex.GetType().Name}: {ex.Message}";
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

            Handle(buffer.AsSpan(0, length), PacketEndPoint.ReadInterfaceIndex(from), PacketEndPoint.ReadPacketType(from), isArp);
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
            throw new KernelException(SocketErrno.Of(ex), $"open AF_PACKET socket for EtherType 0x{etherType:x4}", null, ex.Message);
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
            throw new KernelException(SocketErrno.Of(ex), $"bind AF_PACKET socket for EtherType 0x{etherType:x4}", null, ex.Message);
        }
    }
}
