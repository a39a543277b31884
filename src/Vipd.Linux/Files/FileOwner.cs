using System.Text;
using Tmds.Linux;

namespace Vipd.Linux.Files;

/// <summary>A file's owner, group and mode bits, as statx(2) reports them (the BCL gives the mode only).</summary>
/// <param name="Uid">The owner's user id.</param>
/// <param name="Gid">The file's group id.</param>
/// <param name="Mode">The permission bits (07777).</param>
public readonly record struct FileOwner(uint Uid, uint Gid, int Mode)
{
    /// <summary>This process's effective user id.</summary>
    public static uint EffectiveUid => LibC.geteuid();

    /// <summary>The owner, group and mode of <paramref name="path"/> (symbolic links followed).</summary>
    /// <exception cref="IOException">statx failed (missing file, no access).</exception>
    public static unsafe FileOwner Of(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        statx result;
        int rc;
        var error = 0;
        fixed (byte* name = bytes)
        {
            do
            {
                rc = LibC.statx(LibC.AT_FDCWD, name, 0, LibC.STATX_UID | LibC.STATX_GID | LibC.STATX_MODE, &result);
            }
            while (rc < 0 && (error = LibC.errno) == LibC.EINTR);
        }

        return rc < 0
            ? throw new IOException($"cannot stat {path}: {new System.ComponentModel.Win32Exception(error).Message}")
            : new FileOwner(result.stx_uid, result.stx_gid, result.stx_mode & 0xFFF);
    }
}
