using Vipd.Core.Text;

namespace Vipctl.Output;

/// <summary>
/// A plain text table: an upper-case header row, columns padded to their widest cell and two spaces apart, no
/// trailing blanks, "-" for an empty cell. Colour (only the cell text, never the padding) when enabled.
/// </summary>
internal sealed class Table
{
    private readonly string[] _headers;
    private readonly List<Cell[]> _rows = [];

    public Table(params string[] headers) => _headers = headers;

    public int Count => _rows.Count;

    public void Add(params Cell[] cells)
    {
        if (cells.Length != _headers.Length)
        {
            throw new ArgumentException($"{cells.Length} cells for {_headers.Length} columns", nameof(cells));
        }

        _rows.Add(cells.Select(c => c.Text.Length == 0 ? new Cell("-", Color.None) : c with { Text = ControlCharacters.Escape(c.Text) }).ToArray());
    }

    public void Write(TextWriter writer, bool color)
    {
        var widths = new int[_headers.Length];
        for (var i = 0; i < _headers.Length; i++)
        {
            widths[i] = Math.Max(_headers[i].Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Text.Length));
        }

        WriteRow(writer, _headers.Select(h => new Cell(h, Color.Bold)).ToArray(), widths, color);
        foreach (var row in _rows)
        {
            WriteRow(writer, row, widths, color);
        }
    }

    private static void WriteRow(TextWriter writer, Cell[] cells, int[] widths, bool color)
    {
        var line = new System.Text.StringBuilder();
        for (var i = 0; i < cells.Length; i++)
        {
            line.Append(Ansi.Paint(cells[i].Text, cells[i].Color, color));
            if (i < cells.Length - 1)
            {
                line.Append(' ', widths[i] - cells[i].Text.Length + 2);
            }
        }

        writer.WriteLine(line.ToString());
    }
}
