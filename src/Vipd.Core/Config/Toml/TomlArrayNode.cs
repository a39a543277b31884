namespace Vipd.Core.Config.Toml;

/// <summary>An array value (<c>[1, 2]</c>) or an array of tables (<c>[[vip]]</c>).</summary>
public sealed class TomlArrayNode : TomlNode
{
    /// <summary>An empty array starting at <paramref name="position"/>.</summary>
    public TomlArrayNode(SourcePosition position, bool isTableArray)
        : base(position) => IsTableArray = isTableArray;

    /// <summary>True for an array of tables declared with <c>[[name]]</c> headers.</summary>
    public bool IsTableArray { get; }

    /// <summary>The elements in the order they were written.</summary>
    public List<TomlNode> Items { get; } = [];

    /// <inheritdoc/>
    public override string Description => IsTableArray ? "an array of tables" : "an array";
}
