namespace Vipd.Kubernetes.Config.Toml;

/// <summary>One key of a table, where the key was written, and its value.</summary>
internal sealed record TomlEntry(string Key, SourcePosition KeyPosition, TomlNode Value);
