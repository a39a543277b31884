using Vipd.Core.Text;

namespace Vipctl.Output;

/// <summary>A "key  value" listing (the <c>status</c> view): keys padded to the longest, values possibly coloured.</summary>
internal sealed class KeyValues
{
    private readonly List<(string Key, Cell Value)> _lines = [];

    public void Add(string key, Cell value) => _lines.Add((key, value with { Text = ControlCharacters.Escape(value.Text) }));

    public void Write(TextWriter writer, bool color)
    {
        var width = _lines.Max(l => l.Key.Length);
        foreach (var (key, value) in _lines)
        {
            writer.WriteLine($"{key.PadRight(width + 2)}{Ansi.Paint(value.Text.Length == 0 ? "-" : value.Text, value.Color, color)}");
        }
    }
}
