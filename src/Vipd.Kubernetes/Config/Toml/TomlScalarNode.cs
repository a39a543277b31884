namespace Vipd.Kubernetes.Config.Toml;

/// <summary>A string, integer, float, boolean or date-time value.</summary>
internal sealed class TomlScalarNode : TomlNode
{
    public TomlScalarNode(SourcePosition position, TomlScalarKind kind, object value)
        : base(position)
    {
        Kind = kind;
        Value = value;
    }

    public TomlScalarKind Kind { get; }

    /// <summary>A <see cref="string"/>, <see cref="long"/>, <see cref="double"/>, <see cref="bool"/>, or the date-time's text.</summary>
    public object Value { get; }

    public override string Description => Kind switch
    {
        TomlScalarKind.String => "a string",
        TomlScalarKind.Integer => "an integer",
        TomlScalarKind.Float => "a float",
        TomlScalarKind.Boolean => "a boolean",
        _ => "a date-time",
    };
}
