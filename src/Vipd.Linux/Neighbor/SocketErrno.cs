using System.Net.Sockets;

namespace Vipd.Linux.Neighbor;

/// <summary>
/// Linux errno for a BCL <see cref="SocketException"/>: on Linux its NativeErrorCode is not the errno (the BCL
/// stores its own platform-neutral code), so the <see cref="SocketError"/> is mapped back.
/// </summary>
internal static class SocketErrno
{
    /// <summary>The errno, or 0 when the error has no single errno.</summary>
    public static int Of(SocketException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.SocketErrorCode switch
        {
            SocketError.AccessDenied => 13,             // EACCES (also EPERM: no CAP_NET_RAW)
            SocketError.Interrupted => 4,               // EINTR
            SocketError.InvalidArgument => 22,          // EINVAL
            SocketError.TooManyOpenSockets => 24,       // EMFILE
            SocketError.WouldBlock => 11,               // EAGAIN
            SocketError.MessageSize => 90,              // EMSGSIZE
            SocketError.ProtocolNotSupported => 93,     // EPROTONOSUPPORT
            SocketError.SocketNotSupported => 94,       // ESOCKTNOSUPPORT
            SocketError.OperationNotSupported => 95,    // EOPNOTSUPP
            SocketError.AddressFamilyNotSupported => 97, // EAFNOSUPPORT
            SocketError.AddressAlreadyInUse => 98,      // EADDRINUSE
            SocketError.AddressNotAvailable => 99,      // EADDRNOTAVAIL
            SocketError.NetworkDown => 100,             // ENETDOWN
            SocketError.NetworkUnreachable => 101,      // ENETUNREACH
            SocketError.NoBufferSpaceAvailable => 105,  // ENOBUFS
            SocketError.ProtocolOption => 92,           // ENOPROTOOPT
            _ => 0,
        };
    }
}
