using System.Net.Sockets;
using Tmds.Linux;
using Vipd.Linux.Native;
using static Vipd.Linux.Native.NetlinkConstants;

namespace Vipd.Linux.Netlink;

/// <summary>
/// An rtnetlink socket (AF_NETLINK, NETLINK_ROUTE) of the network namespace of the thread that opened it, owned by
/// a <see cref="System.Net.Sockets.Socket"/> wrapped around the libc fd. Extended ACKs (kernel error text) and
/// capped ACKs are on. Request/reply exchanges are serialised by one lock; EINTR is retried.
/// </summary>
internal sealed class NetlinkSocket : IDisposable
{
    /// <summary>Receive buffer of one recv: large enough for any dump datagram (the kernel caps them at 32 KiB).</summary>
    public const int ReceiveBufferSize = 64 * 1024;

    /// <summary>Socket receive buffer asked for: room for the replies of a batch, and for bursts of notifications.</summary>
    public const int SocketReceiveBuffer = 4 * 1024 * 1024;

    /// <summary>How long one receive may wait for the kernel's reply before the exchange fails (it never should).</summary>
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(5);

    private readonly Lock _lock = new();
    private readonly byte[] _receiveBuffer = new byte[ReceiveBufferSize];
    private int _sequence;

    private NetlinkSocket(Socket socket)
    {
        Socket = socket;
        _sequence = Environment.TickCount & 0x3fffffff;
    }

    /// <summary>The BCL socket owning the fd (for asynchronous receive by the monitor).</summary>
    public Socket Socket { get; }

    /// <summary>
    /// Opens a socket in the calling thread's network namespace. <paramref name="replyTimeout"/>: blocking receives
    /// give up after the reply timeout (request sockets); a monitor socket passes false. <paramref name="receiveBuffer"/>:
    /// SO_RCVBUF(FORCE) in bytes (the kernel doubles it for bookkeeping).
    /// </summary>
    public static NetlinkSocket Open(bool replyTimeout = true, int receiveBuffer = SocketReceiveBuffer)
    {
        var fd = SocketCalls.Open(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0)
        {
            throw new KernelException(-fd, "open netlink socket", null, null);
        }

        var socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
        var result = new NetlinkSocket(socket);
        try
        {
            // Bind now: an unbound socket has port id 0, the kernel's own, and receives no multicast notifications.
            var bound = SocketCalls.BindNetlink(socket.SafeHandle, 0);
            if (bound != 0)
            {
                throw new KernelException(-bound, "bind netlink socket", null, null);
            }

            result.SetOption(SOL_NETLINK, NETLINK_EXT_ACK, 1, "enable netlink extended ACK");
            result.SetOption(SOL_NETLINK, NETLINK_CAP_ACK, 1, "enable netlink capped ACK");
            // Root (CAP_NET_ADMIN) may exceed net.core.rmem_max; otherwise take what rmem_max allows.
            if (SocketCalls.SetOption(socket.SafeHandle, LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, receiveBuffer) != 0)
            {
                result.SetOption(LibC.SOL_SOCKET, LibC.SO_RCVBUF, receiveBuffer, "set netlink receive buffer");
            }

            if (replyTimeout)
            {
                var rc = SocketCalls.SetTimeout(socket.SafeHandle, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, ReplyTimeout);
                if (rc != 0)
                {
                    throw new KernelException(-rc, "set netlink receive timeout", null, null);
                }
            }

            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>The next sequence number (never 0: notifications carry 0).</summary>
    public uint NextSequence()
    {
        var next = (uint)Interlocked.Increment(ref _sequence);
        return next == 0 ? (uint)Interlocked.Increment(ref _sequence) : next;
    }

    /// <summary>Reserves <paramref name="count"/> consecutive sequence numbers; returns the first.</summary>
    public uint ReserveSequences(int count)
    {
        while (true)
        {
            var last = (uint)Interlocked.Add(ref _sequence, count);
            var first = last - (uint)count + 1;
            if (first != 0 && first <= last)
            {
                return first; // not wrapped through 0
            }
        }
    }

    /// <summary>
    /// Asks the kernel to check dump requests strictly (NETLINK_GET_STRICT_CHK, Linux 4.20); false when it cannot.
    /// </summary>
    public bool TryEnableStrictChecking() => SocketCalls.SetOption(Socket.SafeHandle, SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1) == 0;

    /// <summary>Joins an rtnetlink multicast group (RTNLGRP_*).</summary>
    public void JoinGroup(int group) => SetOption(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group, $"join netlink group {group}");

    /// <summary>
    /// Sends one request that asks for an ACK (NLM_F_ACK) or is a dump (NLM_F_DUMP) and reads the reply: messages of
    /// this sequence go to <paramref name="onMessage"/> until the final NLMSG_ERROR or NLMSG_DONE, whose result is
    /// returned (errno 0 on success). Throws only when the exchange itself fails.
    /// </summary>
    public NetlinkAck Exchange(ReadOnlySpan<byte> request, uint sequence, string operation, NetlinkMessageHandler? onMessage)
    {
        lock (_lock)
        {
            SendLocked(request, operation);
            while (true)
            {
                var datagram = ReceiveLocked(operation);
                var reader = new NetlinkMessageReader(datagram);
                while (reader.TryRead(out var message))
                {
                    if (message.Sequence != sequence)
                    {
                        continue; // a late reply to an earlier, abandoned exchange
                    }

                    switch (message.Type)
                    {
                        case NLMSG_ERROR:
                            return NetlinkAck.TryParse(message.Payload, message.Flags, out var ack)
                                ? ack
                                : throw new KernelException(Errno.EINVAL, operation, null, "malformed netlink error message");
                        case NLMSG_DONE:
                            // A dump's end: its status (an error when the dump failed) and extended-ACK attributes.
                            return NetlinkAck.TryParseDone(message.Payload, message.Flags, out var done) ? done : default;
                        case NLMSG_NOOP:
                            break;
                        default:
                            onMessage?.Invoke(message);
                            break;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Sends a batch of requests in one datagram (sequences <paramref name="firstSequence"/> … +count-1, only the
    /// last with NLM_F_ACK) and records the error of each that failed in <paramref name="errors"/> (0 = succeeded).
    /// Returns 0, or -errno when the exchange itself failed (results then unknown, left as -1).
    /// </summary>
    public int ExchangeBatch(ReadOnlySpan<byte> requests, uint firstSequence, Span<NetlinkAck> errors)
    {
        var count = errors.Length;
        var last = firstSequence + (uint)(count - 1);
        lock (_lock)
        {
            errors.Fill(new NetlinkAck(-1, null));
            var sent = SocketCalls.Send(Socket.SafeHandle, requests);
            if (sent < 0)
            {
                return sent;
            }

            while (true)
            {
                var received = SocketCalls.Receive(Socket.SafeHandle, _receiveBuffer, 0);
                if (received < 0)
                {
                    return received;
                }

                var reader = new NetlinkMessageReader(_receiveBuffer.AsSpan(0, received));
                while (reader.TryRead(out var message))
                {
                    var slot = message.Sequence - firstSequence;
                    if (message.Type != NLMSG_ERROR || slot >= (uint)count)
                    {
                        continue;
                    }

                    if (!NetlinkAck.TryParse(message.Payload, message.Flags, out var ack))
                    {
                        ack = new NetlinkAck(Errno.EINVAL, "malformed netlink error message");
                    }

                    errors[(int)slot] = ack;
                    if (message.Sequence == last)
                    {
                        // Replies come in request order: every request without a reply before the last succeeded.
                        for (var i = 0; i < count; i++)
                        {
                            if (errors[i].Errno == -1)
                            {
                                errors[i] = default;
                            }
                        }

                        return 0;
                    }
                }
            }
        }
    }

    public void Dispose() => Socket.Dispose();

    private void SetOption(int level, int name, int value, string operation)
    {
        var rc = SocketCalls.SetOption(Socket.SafeHandle, level, name, value);
        if (rc != 0)
        {
            throw new KernelException(-rc, operation, null, null);
        }
    }

    private void SendLocked(ReadOnlySpan<byte> request, string operation)
    {
        var sent = SocketCalls.Send(Socket.SafeHandle, request);
        if (sent < 0)
        {
            throw new KernelException(-sent, operation, null, null);
        }
    }

    private ReadOnlySpan<byte> ReceiveLocked(string operation)
    {
        var received = SocketCalls.Receive(Socket.SafeHandle, _receiveBuffer, LibC.MSG_TRUNC);
        if (received < 0)
        {
            throw new KernelException(-received, operation, null, -received == Errno.EAGAIN ? "no reply from the kernel" : null);
        }

        if (received > _receiveBuffer.Length)
        {
            throw new KernelException(Errno.ENOBUFS, operation, null, $"netlink reply of {received} bytes truncated");
        }

        return _receiveBuffer.AsSpan(0, received);
    }
}
