namespace Vipd.Core.Config.Toml;

/// <summary>A 1-based line and column in a config file.</summary>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
public readonly record struct SourcePosition(int Line, int Column)
{
    /// <summary>The start of the file, for errors that belong to no particular value.</summary>
    public static readonly SourcePosition Start = new(1, 1);

    /// <summary>Converts Tomlyn's 0-based position.</summary>
    public static SourcePosition FromTomlyn(Tomlyn.Syntax.TextPosition position) => new(position.Line + 1, position.Column + 1);
}
