namespace Vipd.Core.Config.Toml;

/// <summary>A string, integer, float, boolean or date-time value.</summary>
public sealed class TomlScalarNode : TomlNode
{
    /// <summary>A scalar of <paramref name="kind"/> starting at <paramref name="position"/>.</summary>
    public TomlScalarNode(SourcePosition position, TomlScalarKind kind, object value)
        : base(position)
    {
        Kind = kind;
        Value = value;
    }

    /// <summary>What kind of scalar <see cref="Value"/> holds.</summary>
    public TomlScalarKind Kind { get; }

    /// <summary>A <see cref="string"/>, <see cref="long"/>, <see cref="double"/>, <see cref="bool"/>, or the date-time's text.</summary>
    public object Value { get; }

    /// <inheritdoc/>
    public override string Description => Kind switch
    {
        TomlScalarKind.String => "a string",
        TomlScalarKind.Integer => "an integer",
        TomlScalarKind.Float => "a float",
        TomlScalarKind.Boolean => "a boolean",
        _ => "a date-time",
    };
}
