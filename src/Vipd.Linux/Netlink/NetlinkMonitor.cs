using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vipd.Core.Reconcile;
using static Vipd.Linux.Native.RtnetlinkConstants;

namespace Vipd.Linux.Netlink;

/// <summary>
/// <see cref="INetworkMonitor"/> over the rtnetlink multicast groups RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR and
/// RTNLGRP_IPV6_IFADDR of the network namespace of the thread that constructs it.
/// </summary>
/// <remarks>
/// When notifications overran the socket's receive buffer (ENOBUFS) some changes were lost: the monitor then
/// reports <c>LinkChanged</c> with <see cref="NetworkChange.InterfaceIndex"/> 0, which means "resync everything"
/// (re-list links and addresses). Index 0 is never a real interface.
/// </remarks>
public sealed class NetlinkMonitor : INetworkMonitor
{
    /// <summary>The change that means "notifications were lost: re-read all links and addresses".</summary>
    public static readonly NetworkChange ResyncNeeded = new(NetworkChangeKind.LinkChanged, 0);

    /// <summary>How long Dispose waits for the receive loop to finish.</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(2);

    [ThreadStatic]
    private static bool _inHandler;

    private readonly NetlinkSocket _socket;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _startLock = new();
    private Task? _loop;
    private bool _disposed;

    /// <summary>Subscribes in the calling thread's network namespace; reporting starts with <see cref="Start"/>.</summary>
    public NetlinkMonitor(ILogger<NetlinkMonitor>? logger = null)
        : this(logger, NetlinkSocket.SocketReceiveBuffer)
    {
    }

    /// <summary>As the public constructor, with the socket receive buffer size (tests force overruns with a tiny one).</summary>
    internal NetlinkMonitor(ILogger<NetlinkMonitor>? logger, int receiveBuffer)
    {
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _socket = NetlinkSocket.Open(replyTimeout: false, receiveBuffer);
        try
        {
            _socket.JoinGroup(RTNLGRP_LINK);
            _socket.JoinGroup(RTNLGRP_IPV4_IFADDR);
            _socket.JoinGroup(RTNLGRP_IPV6_IFADDR);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
    }

    public void Start(Action<NetworkChange> onChange)
    {
        ArgumentNullException.ThrowIfNull(onChange);
        lock (_startLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_loop is not null)
            {
                throw new InvalidOperationException("The monitor is already started.");
            }

            _loop = Task.Run(() => ReceiveLoopAsync(onChange, _stop.Token));
        }
    }

    public void Dispose()
    {
        Task? loop;
        lock (_startLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            loop = _loop;
        }

        _stop.Cancel();
        if (loop is not null && !_inHandler)
        {
            loop.Wait(StopTimeout);
        }

        _socket.Dispose();
        _stop.Dispose();
    }

    /// <summary>Turns the notifications of one datagram into changes. Pure; malformed messages are skipped.</summary>
    internal static int Decode(ReadOnlySpan<byte> datagram, List<NetworkChange> changes)
    {
        var before = changes.Count;
        var reader = new NetlinkMessageReader(datagram);
        while (reader.TryRead(out var message))
        {
            switch (message.Type)
            {
                case RTM_NEWLINK:
                case RTM_DELLINK:
                    var index = RtnetlinkParser.LinkIndex(message.Payload);
                    if (index > 0)
                    {
                        changes.Add(message.Type == RTM_NEWLINK
                            ? new NetworkChange(NetworkChangeKind.LinkChanged, index, LinkUp: RtnetlinkParser.IsUp(RtnetlinkParser.LinkFlags(message.Payload)))
                            : new NetworkChange(NetworkChangeKind.LinkRemoved, index));
                    }

                    break;
                case RTM_NEWADDR:
                case RTM_DELADDR:
                    if (RtnetlinkParser.TryParseAddress(message.Payload, out var address))
                    {
                        var kind = message.Type == RTM_NEWADDR ? NetworkChangeKind.AddressAdded : NetworkChangeKind.AddressRemoved;
                        changes.Add(new NetworkChange(kind, address.InterfaceIndex, address.Address, address.PrefixLength));
                    }

                    break;
                default:
                    break;
            }
        }

        return changes.Count - before;
    }

    private async Task ReceiveLoopAsync(Action<NetworkChange> onChange, CancellationToken cancellationToken)
    {
        var buffer = new byte[NetlinkSocket.ReceiveBufferSize];
        var changes = new List<NetworkChange>();
        while (!cancellationToken.IsCancellationRequested)
        {
            int received;
            try
            {
                received = await _socket.Socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.NoBufferSpaceAvailable)
            {
                _logger.MonitorOverrun();
                Deliver(onChange, ResyncNeeded);
                continue;
            }
            catch (SocketException ex)
            {
                _logger.MonitorReceiveFailed(ex.SocketErrorCode.ToString(), ex);
                Deliver(onChange, ResyncNeeded);
                try
                {
                    // Bounded retry pace for an unexpected, persistent error.
                    await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            changes.Clear();
            Decode(buffer.AsSpan(0, received), changes);
            foreach (var change in changes)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                Deliver(onChange, change);
            }
        }
    }

    private void Deliver(Action<NetworkChange> onChange, NetworkChange change)
    {
        _inHandler = true;
        try
        {
            onChange(change);
        }
        catch (Exception ex)
        {
            _logger.MonitorHandlerFailed(ex);
        }
        finally
        {
            _inHandler = false;
        }
    }
}
