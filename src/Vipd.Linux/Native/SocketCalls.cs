using System.Runtime.InteropServices;
using Tmds.Linux;

namespace Vipd.Linux.Native;

/// <summary>
/// The libc socket calls vipd needs beyond the BCL, on Tmds.LibC: each retries EINTR and returns the result or
/// <c>-errno</c>, so callers turn errno into results or a <see cref="KernelException"/> in one place.
/// </summary>
internal static unsafe class SocketCalls
{
    /// <summary>socket(2); returns the fd or -errno.</summary>
    public static int Open(int domain, int type, int protocol) =>
        (int)RetryOnInterrupt(() => LibC.socket(domain, type, protocol));

    /// <summary>setsockopt(2) with an int value; returns 0 or -errno.</summary>
    public static int SetOption(SafeHandle socket, int level, int name, int value)
    {
        using var lease = new FdLease(socket);
        return Result(LibC.setsockopt(lease.Fd, level, name, &value, sizeof(int)));
    }

    /// <summary>setsockopt(2) of a <c>struct timeval</c> (SO_RCVTIMEO); 64-bit layout. Returns 0 or -errno.</summary>
    public static int SetTimeout(SafeHandle socket, int level, int name, TimeSpan timeout)
    {
        using var lease = new FdLease(socket);
        var microseconds = (long)(timeout.Ticks / TimeSpan.TicksPerMicrosecond);
        var value = stackalloc long[2];
        value[0] = microseconds / 1_000_000;
        value[1] = microseconds % 1_000_000;
        return Result(LibC.setsockopt(lease.Fd, level, name, value, 2 * sizeof(long)));
    }

    /// <summary>bind(2) of a netlink socket to a kernel-chosen port id (nl_pid 0); returns 0 or -errno.</summary>
    public static int BindNetlink(SafeHandle socket, uint groups)
    {
        using var lease = new FdLease(socket);
        var address = new sockaddr_nl { nl_family = (ushort)LibC.AF_NETLINK, nl_groups = groups };
        return Result(LibC.bind(lease.Fd, (sockaddr*)&address, (uint)sizeof(sockaddr_nl)));
    }

    /// <summary>getsockname(2) for a netlink socket; returns 0 or -errno.</summary>
    public static int GetNetlinkAddress(SafeHandle socket, out sockaddr_nl address)
    {
        using var lease = new FdLease(socket);
        sockaddr_nl local = default;
        socklen_t length = (uint)sizeof(sockaddr_nl);
        var rc = LibC.getsockname(lease.Fd, (sockaddr*)&local, &length);
        address = local;
        return Result(rc);
    }

    /// <summary>send(2) of the whole buffer (to the kernel, for an unconnected netlink socket); returns bytes or -errno.</summary>
    public static int Send(SafeHandle socket, ReadOnlySpan<byte> buffer)
    {
        using var lease = new FdLease(socket);
        fixed (byte* data = buffer)
        {
            var fd = lease.Fd;
            var pointer = (nint)data;
            var length = (uint)buffer.Length;
            return (int)RetryOnInterrupt(() => LibC.send(fd, (void*)pointer, length, 0));
        }
    }

    /// <summary>recv(2) of one datagram; returns bytes (the full length with MSG_TRUNC) or -errno.</summary>
    public static int Receive(SafeHandle socket, Span<byte> buffer, int flags)
    {
        using var lease = new FdLease(socket);
        fixed (byte* data = buffer)
        {
            var fd = lease.Fd;
            var pointer = (nint)data;
            var length = (uint)buffer.Length;
            return (int)RetryOnInterrupt(() => LibC.recv(fd, (void*)pointer, length, flags));
        }
    }

    /// <summary>0 for a libc call that returned 0, otherwise -errno.</summary>
    private static int Result(int rc) => rc == 0 ? 0 : -Marshal.GetLastPInvokeError();

    /// <summary>Runs a libc call until it is not interrupted by a signal; returns its result, or -errno on failure.</summary>
    private static long RetryOnInterrupt(Func<long> call)
    {
        while (true)
        {
            var result = call();
            if (result >= 0)
            {
                return result;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.EINTR)
            {
                return -errno;
            }
        }
    }

    /// <summary>Keeps a <see cref="SafeHandle"/> alive (DangerousAddRef/Release) for the length of one call.</summary>
    private ref struct FdLease
    {
        private readonly SafeHandle _handle;
        private bool _added;

        public FdLease(SafeHandle handle)
        {
            _handle = handle;
            handle.DangerousAddRef(ref _added);
            Fd = (int)handle.DangerousGetHandle();
        }

        public int Fd { get; }

        public void Dispose()
        {
            if (_added)
            {
                _handle.DangerousRelease();
                _added = false;
            }
        }
    }
}
