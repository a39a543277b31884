using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Vipd.Core.Net;
using Vipd.Hosting;

namespace Vipd.Transport;

/// <summary>
/// The gossip transport: one UDP socket bound to the node's address and port. Sends are non-blocking and never
/// throw for loss; the receive loop is the only async code of the protocol and hands each datagram to
/// <see cref="Start"/>'s handler on one thread at a time. The loop beats its <see cref="Heartbeat"/> per datagram and
/// at least every <see cref="IdleBeat"/> when nothing arrives; if it dies (any error but its own stop) it fails the
/// heartbeat, so the process exits instead of running deaf.
/// </summary>
internal sealed partial class UdpTransport : ITransport, IDisposable
{
    /// <summary>Larger than any valid datagram (1400 bytes), so oversized ones arrive whole and are counted as such.</summary>
    private const int ReceiveBufferSize = 2048;

    /// <summary>An idle receive is cancelled and re-issued this often, so a quiet segment still beats (well below the 5 s staleness).</summary>
    internal static readonly TimeSpan IdleBeat = TimeSpan.FromSeconds(1);

    private readonly Socket _socket;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private Task? _receiveLoop;
    private long _sendFailures;

    private UdpTransport(Socket socket, ILogger logger, TimeProvider time)
    {
        _socket = socket;
        _logger = logger;
        _time = time;
    }

    /// <summary>The bound local endpoint.</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>The bound socket (tests close it under the receive loop).</summary>
    internal Socket Socket => _socket;

    /// <summary>Datagrams the kernel refused to queue (buffer full, unreachable): counted, never thrown.</summary>
    public long SendFailures => Interlocked.Read(ref _sendFailures);

    /// <summary>Binds the gossip socket. Throws <see cref="SocketException"/> (e.g. AddressAlreadyInUse) to the caller, which turns it into one line.</summary>
    public static UdpTransport Bind(IPEndPoint endpoint, ILogger logger, TimeProvider? time = null)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Blocking = false;
            // A burst of push/pull replies must not be dropped by a small default buffer.
            socket.ReceiveBufferSize = 1 << 20;
            socket.Bind(endpoint);
            return new UdpTransport(socket, logger, time ?? TimeProvider.System);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Send(ReadOnlySpan<byte> datagram, IPEndPoint destination)
    {
        try
        {
            _socket.SendTo(datagram, SocketFlags.None, destination);
        }
        catch (SocketException ex)
        {
            Interlocked.Increment(ref _sendFailures);
            LogSendFailed(_logger, destination, ex.SocketErrorCode);
        }
        catch (ObjectDisposedException)
        {
            // Shutting down: loss is allowed.
        }
    }

    /// <summary>
    /// Starts the receive loop; <paramref name="onDatagram"/> runs for each datagram, one at a time. The loop beats
    /// <paramref name="heartbeat"/> and fails it if it dies; without one, its death is only logged.
    /// </summary>
    public void Start(DatagramHandler onDatagram, Heartbeat? heartbeat = null)
    {
        ArgumentNullException.ThrowIfNull(onDatagram);
        _receiveLoop = Task.Run(() => ReceiveLoopAsync(onDatagram, heartbeat, _stop.Token));
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        try
        {
            _receiveLoop?.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
            // The loop ends with the socket; its exceptions are logged there.
        }

        _stop.Dispose();
    }

    private async Task ReceiveLoopAsync(DatagramHandler onDatagram, Heartbeat? heartbeat, CancellationToken stopping)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferSize);
        EndPoint any = new IPEndPoint(_socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        // Cancels an idle receive after IdleBeat; re-armed per receive, replaced only when it fired (once per idle second).
        var idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                SocketReceiveFromResult result;
                try
                {
                    if (idle.IsCancellationRequested)
                    {
                        idle.Dispose();
                        idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
                    }

                    idle.CancelAfter(IdleBeat);
                    heartbeat?.Beat(); // after arming: a beat means the next idle timeout is already set
                    result = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, idle.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
                {
                    continue; // Nothing arrived for IdleBeat: beat and receive again (the datagram stays queued in the kernel).
                }
                catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
                {
                    continue; // ICMP port unreachable from a peer that is down, or a truncated datagram: not our problem.
                }

                try
                {
                    onDatagram(buffer.AsSpan(0, result.ReceivedBytes), (IPEndPoint)result.RemoteEndPoint);
                }
                catch (Exception ex)
                {
                    // The protocol never throws on input; if it does, keep serving and say so.
                    LogHandlerFailed(_logger, ex);
                }
            }
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            // Dispose: the socket closed under the pending receive.
        }
        catch (Exception ex)
        {
            // Anything else leaves the node deaf: it would declare every peer dead and take every VIP. Say so and let
            // the liveness monitor end the process.
            if (heartbeat is null)
            {
                LogReceiveLoopDied(_logger, ex);
            }
            else
            {
                heartbeat.Fail(ex);
            }
        }
        finally
        {
            idle.Dispose();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Gossip datagram to {Peer} not sent: {Error}")]
    private static partial void LogSendFailed(ILogger logger, IPEndPoint peer, SocketError error);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "Gossip datagram handler failed")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2099, Level = LogLevel.Error, Message = "Gossip receive loop died: this node no longer hears its peers")]
    private static partial void LogReceiveLoopDied(ILogger logger, Exception exception);
}
