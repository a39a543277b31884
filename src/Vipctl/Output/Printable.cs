using System.Globalization;
using System.Text;

namespace Vipctl.Output;

/// <summary>
/// Text from a node (peer names, VIP names, check details, reasons) made safe for a terminal: control characters are
/// written as <c>\n</c>, <c>\t</c> or <c>\xNN</c>, so a name cannot start a new line or an escape sequence.
/// </summary>
internal static class Printable
{
    public static string Escape(string text)
    {
        if (!text.Any(char.IsControl))
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
