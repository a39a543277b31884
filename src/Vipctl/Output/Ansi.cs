namespace Vipctl.Output;

/// <summary>ANSI SGR sequences for <see cref="Color"/>.</summary>
internal static class Ansi
{
    private const string Reset = "\u001b[0m";

    public static string Paint(string text, Color color, bool enabled) =>
        !enabled || color == Color.None || text.Length == 0 ? text : Start(color) + text + Reset;

    private static string Start(Color color) => color switch
    {
        Color.Green => "\u001b[32m",
        Color.Yellow => "\u001b[33m",
        Color.Red => "\u001b[31m",
        Color.Dim => "\u001b[2m",
        Color.Bold => "\u001b[1m",
        _ => string.Empty,
    };
}
