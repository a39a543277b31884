namespace Vipd.Core.Config.Toml;

/// <summary>A TOML value with the position where it starts in the file.</summary>
public abstract class TomlNode
{
    /// <summary>A node starting at <paramref name="position"/>.</summary>
    protected TomlNode(SourcePosition position) => Position = position;

    /// <summary>Where the value (or the table's header) starts.</summary>
    public SourcePosition Position { get; }

    /// <summary>How the value's kind reads in an error message: "a string", "an integer", "a table".</summary>
    public abstract string Description { get; }
}
