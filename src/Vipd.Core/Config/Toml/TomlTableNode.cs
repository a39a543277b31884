namespace Vipd.Core.Config.Toml;

/// <summary>A table: the document, a <c>[header]</c> table, an element of <c>[[header]]</c>, or an inline table.</summary>
public sealed class TomlTableNode : TomlNode
{
    private readonly List<TomlEntry> _entries = [];
    private readonly Dictionary<string, TomlEntry> _byKey = new(StringComparer.Ordinal);

    /// <summary>An empty table starting at <paramref name="position"/>.</summary>
    public TomlTableNode(SourcePosition position, TomlTableOrigin origin)
        : base(position) => Origin = origin;

    /// <summary>How the table came into being; an implicit table becomes a header table once its header is seen.</summary>
    public TomlTableOrigin Origin { get; set; }

    /// <summary>The entries in the order they were written.</summary>
    public IReadOnlyList<TomlEntry> Entries => _entries;

    /// <inheritdoc/>
    public override string Description => "a table";

    /// <summary>The entry of <paramref name="key"/>, if the table has it.</summary>
    public bool TryGet(string key, out TomlEntry entry) => _byKey.TryGetValue(key, out entry!);

    /// <summary>Adds an entry; its key must not be in the table yet.</summary>
    public void Add(TomlEntry entry)
    {
        _entries.Add(entry);
        _byKey.Add(entry.Key, entry);
    }
}
