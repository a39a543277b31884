using System.Globalization;
using System.Text;

namespace Vipd.Core.Text;

/// <summary>
/// Text from the network or a caller (peer node names, VIP names, reasons, check details, API arguments) made safe for
/// one line of a log or a terminal: every control character (C0, DEL, C1) is written as <c>\n</c>, <c>\r</c>,
/// <c>\t</c> or <c>\xNN</c>, so a name cannot start a new line (a forged log line) or an escape sequence (a rewritten
/// terminal). The one home of this rule: the daemon's log and vipctl's output both use it.
/// </summary>
public static class ControlCharacters
{
    /// <summary>True when <paramref name="text"/> holds a control character.</summary>
    public static bool Any(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The text with every control character escaped; the same instance when there is none.</summary>
    public static string Escape(string text)
    {
        if (!Any(text))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            _ = c switch
            {
                '\n' => builder.Append("\\n"),
                '\r' => builder.Append("\\r"),
                '\t' => builder.Append("\\t"),
                _ when char.IsControl(c) => builder.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture)),
                _ => builder.Append(c),
            };
        }

        return builder.ToString();
    }
}
