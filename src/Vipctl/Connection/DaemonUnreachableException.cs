using System.Net.Sockets;

namespace Vipctl.Connection;

/// <summary>Connecting to the socket failed; carries the path and the socket error for a one-line message.</summary>
internal sealed class DaemonUnreachableException : IOException
{
    public DaemonUnreachableException(string path, SocketException inner)
        : base($"cannot connect to {path}: {inner.Message}", inner)
    {
        Path = path;
        SocketError = inner.SocketErrorCode;
    }

    public DaemonUnreachableException()
    {
        Path = string.Empty;
    }

    public DaemonUnreachableException(string message)
        : base(message)
    {
        Path = string.Empty;
    }

    public DaemonUnreachableException(string message, Exception inner)
        : base(message, inner)
    {
        Path = string.Empty;
    }

    public string Path { get; }

    public SocketError SocketError { get; }
}
