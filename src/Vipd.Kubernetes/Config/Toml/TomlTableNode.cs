namespace Vipd.Kubernetes.Config.Toml;

/// <summary>A table: the document, a <c>[header]</c> table, an element of <c>[[header]]</c>, or an inline table.</summary>
internal sealed class TomlTableNode : TomlNode
{
    private readonly List<TomlEntry> _entries = [];
    private readonly Dictionary<string, TomlEntry> _byKey = new(StringComparer.Ordinal);

    public TomlTableNode(SourcePosition position, TomlTableOrigin origin)
        : base(position) => Origin = origin;

    public TomlTableOrigin Origin { get; set; }

    /// <summary>The entries in the order they were written.</summary>
    public IReadOnlyList<TomlEntry> Entries => _entries;

    public override string Description => "a table";

    public bool TryGet(string key, out TomlEntry entry) => _byKey.TryGetValue(key, out entry!);

    public void Add(TomlEntry entry)
    {
        _entries.Add(entry);
        _byKey.Add(entry.Key, entry);
    }
}
