namespace Vipctl.Output;

/// <summary>One table cell: its text and, on a terminal, its colour.</summary>
internal readonly record struct Cell(string Text, Color Color = Color.None)
{
    public static implicit operator Cell(string text) => new(text);

    public static Cell FromString(string text) => new(text);
}
