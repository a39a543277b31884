namespace Vipd.Core.Config.Toml;

/// <summary>One key of a table, where the key was written, and its value.</summary>
/// <param name="Key">The last part of the (possibly dotted) key.</param>
/// <param name="KeyPosition">Where that key part was written.</param>
/// <param name="Value">The value.</param>
public sealed record TomlEntry(string Key, SourcePosition KeyPosition, TomlNode Value);
