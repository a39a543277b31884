using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Vipd.Api;

/// <summary>The API socket's file: its folder, a stale socket from a crashed run, its mode and group.</summary>
internal static class UnixSocketFile
{
    /// <summary>Owner and group read/write: the group (vipd) may connect, others may not.</summary>
    public const UnixFileMode SocketMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    /// <summary>
    /// Creates the parent folder (0755) if missing and removes a socket left behind by a crashed run. Refuses (with
    /// <see cref="IOException"/>) when another process still serves the socket, or when the path is a non-empty file.
    /// </summary>
    public static void Prepare(string path)
    {
        var directory = Path.GetDirectoryName(path);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the API socket needs Linux");
        }

        if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return;
        }

        if (info.Length > 0)
        {
            throw new IOException($"{path} exists and is not a socket; refusing to replace it");
        }

        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
                throw new IOException($"{path} is served by another process (another vipd?); stop it or set a different [api] socket");
            }
            catch (SocketException)
            {
                // Nobody listens: a stale socket.
            }
        }

        File.Delete(path);
    }

    /// <summary>Sets mode 0660 and, when <paramref name="groupId"/> is given, the group; returns the chown error text, or null.</summary>
    public static string? Secure(string path, uint? groupId)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the API socket needs Linux");
        }

        File.SetUnixFileMode(path, SocketMode);
        if (groupId is { } gid && Chown(path, uint.MaxValue, gid) != 0)
        {
            return Marshal.GetLastPInvokeErrorMessage();
        }

        return null;
    }

    // DllImport rather than LibraryImport: the generated stub needs unsafe code, which only Vipd.Linux may enable.
    [DllImport("libc", EntryPoint = "chown", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Chown([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint owner, uint group);
}
