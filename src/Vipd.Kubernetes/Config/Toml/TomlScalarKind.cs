namespace Vipd.Kubernetes.Config.Toml;

/// <summary>The kind of a TOML scalar.</summary>
internal enum TomlScalarKind
{
    String,
    Integer,
    Float,
    Boolean,
    DateTime,
}
