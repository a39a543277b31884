namespace Vipd.Checks;

/// <summary>Keeps check details short: one line, at most <see cref="MaxLength"/> characters.</summary>
internal static class DetailText
{
    public const int MaxLength = 200;

    /// <summary>The first non-blank line of <paramref name="text"/>, trimmed and bounded; empty when there is none.</summary>
    public static string FirstLine(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        foreach (var line in text.AsSpan().EnumerateLines())
        {
            var trimmed = line.Trim();
            if (!trimmed.IsEmpty)
            {
                return Bound(trimmed.ToString());
            }
        }

        return string.Empty;
    }

    public static string Bound(string text) => text.Length <= MaxLength ? text : string.Concat(text.AsSpan(0, MaxLength - 1), "…");
}
