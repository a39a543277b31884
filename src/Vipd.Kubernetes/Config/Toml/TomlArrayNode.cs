namespace Vipd.Kubernetes.Config.Toml;

/// <summary>An array value (<c>[1, 2]</c>) or an array of tables (<c>[[vip]]</c>).</summary>
internal sealed class TomlArrayNode : TomlNode
{
    public TomlArrayNode(SourcePosition position, bool isTableArray)
        : base(position) => IsTableArray = isTableArray;

    /// <summary>True for an array of tables declared with <c>[[name]]</c> headers.</summary>
    public bool IsTableArray { get; }

    public List<TomlNode> Items { get; } = [];

    public override string Description => IsTableArray ? "an array of tables" : "an array";
}
