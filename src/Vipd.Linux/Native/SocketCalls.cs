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
    public static int Open(int domain, int type, int protocol)
    {
        while (true)
        {
            var fd = LibC.socket(domain, type, protocol);
            if (fd >= 0)
            {
                return fd;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.EINTR)
            {
                return -errno;
            }
        }
    }

    /// <summary>setsockopt(2) with an int value; returns 0 or -errno.</summary>
    public static int SetOption(SafeHandle socket, int level, int name, int value)
    {
        var added = false;
        try
        {
            socket.DangerousAddRef(ref added);
            var fd = (int)socket.DangerousGetHandle();
            return LibC.setsockopt(fd, level, name, &value, sizeof(int)) == 0 ? 0 : -Marshal.GetLastPInvokeError();
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
        }
    }

    /// <summary>setsockopt(2) of a <c>struct timeval</c> (SO_RCVTIMEO); 64-bit layout. Returns 0 or -errno.</summary>
    public static int SetTimeout(SafeHandle socket, int level, int name, TimeSpan timeout)
    {
        var added = false;
        try
        {
            socket.DangerousAddRef(ref added);
            var fd = (int)socket.DangerousGetHandle();
            var microseconds = (long)(timeout.Ticks / TimeSpan.TicksPerMicrosecond);
            var value = stackalloc long[2];
            value[0] = microseconds / 1_000_000;
            value[1] = microseconds % 1_000_000;
            return LibC.setsockopt(fd, level, name, value, 2 * sizeof(long)) == 0 ? 0 : -Marshal.GetLastPInvokeError();
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
        }
    }

    /// <summary>bind(2) of a netlink socket to a kernel-chosen port id (nl_pid 0); returns 0 or -errno.</summary>
    public static int BindNetlink(SafeHandle socket, uint groups)
    {
        var added = false;
        try
        {
            socket.DangerousAddRef(ref added);
            var fd = (int)socket.DangerousGetHandle();
            var address = new sockaddr_nl { nl_family = (ushort)LibC.AF_NETLINK, nl_groups = groups };
            return LibC.bind(fd, (sockaddr*)&address, (uint)sizeof(sockaddr_nl)) == 0 ? 0 : -Marshal.GetLastPInvokeError();
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
        }
    }

    /// <summary>getsockname(2) for a netlink socket; returns 0 or -errno.</summary>
    public static int GetNetlinkAddress(SafeHandle socket, out sockaddr_nl address)
    {
        var added = false;
        try
        {
            socket.DangerousAddRef(ref added);
            var fd = (int)socket.DangerousGetHandle();
            sockaddr_nl local = default;
            socklen_t length = (uint)sizeof(sockaddr_nl);
            var rc = LibC.getsockname(fd, (sockaddr*)&local, &length);
            address = local;
            return rc == 0 ? 0 : -Marshal.GetLastPInvokeError();
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
        }
    }

    /// <summary>send(2) of the whole buffer (to the kernel, for an unconnected netlink socket); returns bytes or -errno.</summary>
    public static int Send(SafeHandle socket, ReadOnlySpan<byte> buffer)
    {
        var added = false;
        try
        {
            socket.DangerousAddRef(ref added);
            var fd = (int)socket.DangerousGetHandle();
            fixed (byte* data = buffer)
            {
                while (true)
                {
                    var sent = (long)LibC.send(fd, data, (uint)buffer.Length, 0);
                    if (sent >= 0)
                    {
                        return (int)sent;
                    }

                    var errno = Marshal.GetLastPInvokeError();
                    if (errno != Errno.EINTR)
                    {
                        return -errno;
                    }
                }
            }
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
        }
    }

    /// <summary>recv(2) of one datagram; returns bytes (the full length with MSG_TRUNC) or -errno.</summary>
    public static int Receive(SafeHandle socket, Span<byte> buffer, int flags)
    {
        var added = false;
        try
        {
            socket.DangerousAddRef(ref added);
            var fd = (int)socket.DangerousGetHandle();
            fixed (byte* data = buffer)
            {
                while (true)
                {
                    var received = (long)LibC.recv(fd, data, (uint)buffer.Length, flags);
                    if (received >= 0)
                    {
                        return (int)received;
                    }

                    var errno = Marshal.GetLastPInvokeError();
                    if (errno != Errno.EINTR)
                    {
                        return -errno;
                    }
                }
            }
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
        }
    }
}
