namespace Vipd.Core.Config;

/// <summary>What names of nodes, VIPs, checks and interfaces may look like.</summary>
internal static class Names
{
    /// <summary>A node, VIP or check name: 1–63 of letters, digits, '-', '_', '.', starting with a letter or digit.</summary>
    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 63 && char.IsAsciiLetterOrDigit(name[0])
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    public const string NameRule = "use 1 to 63 letters, digits, '-', '_' or '.', starting with a letter or digit";

    /// <summary>A Linux interface name: 1–15 bytes, no '/', ':' or whitespace, not "." or "..".</summary>
    public static bool IsValidInterface(string name) =>
        name.Length is > 0 and <= 15 && name is not "." and not ".."
        && name.All(c => c > ' ' && c < 127 && c is not '/' and not ':');
}
