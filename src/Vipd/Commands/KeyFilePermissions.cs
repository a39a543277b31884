using System.Globalization;
using Vipd.Api;
using Vipd.Linux.Files;

namespace Vipd.Commands;

/// <summary>
/// Who may read or change the cluster key file. Allowed: owned by root or by the user vipd runs as; no write for
/// group or others; no access at all for others; group read only when the group is root or <c>vipd</c> (the packaged
/// form is <c>0640 root:vipd</c>, a hand-run daemon's <c>0600</c>). <c>vipd check</c> and <c>vipd run</c> refuse any
/// other key file, naming it and the fix.
/// </summary>
internal static class KeyFilePermissions
{
    /// <summary>The group the packaged unit runs vipd as.</summary>
    public const string ServiceGroup = "vipd";

    /// <summary>Null when <paramref name="path"/> is safe to hold the key, else why not and how to fix it.</summary>
    public static string? Check(string path)
    {
        FileOwner owner;
        try
        {
            owner = FileOwner.Of(path);
        }
        catch (IOException ex)
        {
            return ex.Message;
        }

        return Check(path, owner, FileOwner.EffectiveUid, AccessPolicy.LocalGroupId(ServiceGroup));
    }

    /// <summary>The rule itself (pure, for tests).</summary>
    /// <param name="path">Named in the message.</param>
    /// <param name="file">The file's owner, group and mode.</param>
    /// <param name="effectiveUid">The user this process runs as.</param>
    /// <param name="serviceGid">The id of the group <c>vipd</c>, or null when there is none.</param>
    public static string? Check(string path, FileOwner file, uint effectiveUid, uint? serviceGid)
    {
        var mode = Convert.ToString(file.Mode, 8).PadLeft(4, '0');
        var fix = $"run `chmod 600 {path}` (root or the user vipd runs as owning it), or `chown root:{ServiceGroup} {path} && chmod 640 {path}` for the packaged unit";
        var groupTrusted = file.Gid == 0 || file.Gid == serviceGid;
        string? problem =
            (file.Mode & 0b010_010) != 0 ? "group or others can write it"
            : (file.Mode & 0b000_111) != 0 ? "others can read it"
            : (file.Mode & 0b111_000) != 0 && !groupTrusted ? string.Create(CultureInfo.InvariantCulture, $"its group (gid {file.Gid}) can read it and is neither root nor {ServiceGroup}")
            : file.Uid != 0 && file.Uid != effectiveUid ? string.Create(CultureInfo.InvariantCulture, $"it is owned by uid {file.Uid}, neither root nor the user vipd runs as (uid {effectiveUid})")
            : null;
        return problem is null ? null : $"key file {path} is mode {mode} and {problem}: {fix}";
    }
}
