using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Vipd.Api;

/// <summary>The kernel's word on who is at the other end of a Unix socket: SO_PEERCRED and SO_PEERGROUPS.</summary>
internal static class PeerCredentials
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;
    private const int SoPeerGroups = 59;
    private const int MaxGroups = 256;

    /// <summary>Reads the peer's uid, gid and supplementary groups; <see cref="CallerIdentity.Unknown"/> (read-only) if the kernel refuses.</summary>
    public static CallerIdentity Read(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        Span<byte> cred = stackalloc byte[12]; // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        try
        {
            if (socket.GetRawSocketOption(SolSocket, SoPeerCred, cred) != cred.Length)
            {
                return CallerIdentity.Unknown;
            }
        }
        catch (SocketException)
        {
            return CallerIdentity.Unknown;
        }

        var uid = MemoryMarshal.Read<uint>(cred[4..]);
        var gid = MemoryMarshal.Read<uint>(cred[8..]);
        var groups = new List<uint>();
        var buffer = new byte[MaxGroups * 4];
        try
        {
            var length = socket.GetRawSocketOption(SolSocket, SoPeerGroups, buffer);
            for (var offset = 0; offset + 4 <= length; offset += 4)
            {
                groups.Add(MemoryMarshal.Read<uint>(buffer.AsSpan(offset)));
            }
        }
        catch (SocketException)
        {
            // More than MaxGroups groups (ERANGE) or an old kernel: the primary group still counts.
        }

        return new CallerIdentity(ApiTransport.UnixSocket, uid, gid, groups, null);
    }
}
