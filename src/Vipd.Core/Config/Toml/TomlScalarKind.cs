using System.Diagnostics.CodeAnalysis;

namespace Vipd.Core.Config.Toml;

/// <summary>The kind of a TOML scalar.</summary>
[SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The names of TOML's own types.")]
public enum TomlScalarKind
{
    /// <summary>A string.</summary>
    String,
    /// <summary>A 64-bit integer.</summary>
    Integer,
    /// <summary>A float.</summary>
    Float,
    /// <summary>true or false.</summary>
    Boolean,
    /// <summary>An offset or local date-time, date or time.</summary>
    DateTime,
}
