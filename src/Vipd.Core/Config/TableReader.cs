using System.Diagnostics.CodeAnalysis;
using Vipd.Core.Config.Toml;

namespace Vipd.Core.Config;

/// <summary>
/// Reads typed values out of one table, reporting wrong types and ranges, and remembers which keys the schema
/// knows so that the rest can be reported as unknown, with the closest known key as a suggestion.
/// </summary>
public sealed class TableReader
{
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);
    private readonly ErrorCollector _errors;
    private readonly Func<string, string, string>? _misplacedKeyHint;

    /// <summary>
    /// Reads <paramref name="table"/>, which messages call <paramref name="context"/>, into <paramref name="errors"/>.
    /// For an unknown key that is no misspelling of a known one, <paramref name="misplacedKeyHint"/> (key, context)
    /// may say where the key belongs ("; it belongs in [node]"), or return an empty string.
    /// </summary>
    public TableReader(TomlTableNode table, string context, ErrorCollector errors, Func<string, string, string>? misplacedKeyHint)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(errors);
        Table = table;
        Context = context;
        _errors = errors;
        _misplacedKeyHint = misplacedKeyHint;
    }

    /// <summary>A reader of a table of <c>vipd.toml</c>: misplaced keys are placed by <see cref="ConfigSchema"/>.</summary>
    internal TableReader(TomlTableNode table, string context, ErrorCollector errors)
        : this(table, context, errors, ConfigSchema.BelongsHint)
    {
    }

    /// <summary>The table read.</summary>
    public TomlTableNode Table { get; }

    /// <summary>How the table reads in messages: "[node]", "[[vip]]".</summary>
    public string Context { get; }

    /// <summary>Where the table starts (its header).</summary>
    public SourcePosition Position => Table.Position;

    /// <summary>" in [node]", or nothing at the top level.</summary>
    private string Where => Table.Origin == TomlTableOrigin.Root ? string.Empty : $" in {Context}";

    /// <summary>True when the table holds <paramref name="key"/> (known or not).</summary>
    public bool Has(string key) => Table.TryGet(key, out _);

    /// <summary>Where the key's value starts, or the table's header when the key is absent.</summary>
    public SourcePosition PositionOf(string key) => Table.TryGet(key, out var entry) ? entry.Value.Position : Table.Position;

    /// <summary>Reports an error of this table's content at <paramref name="position"/>.</summary>
    public void Error(SourcePosition position, string message) => _errors.Add(position, message);

    /// <summary>Declares keys that are valid here but read some other way.</summary>
    public void Known(params ReadOnlySpan<string> keys)
    {
        foreach (var key in keys)
        {
            _known.Add(key);
        }
    }

    /// <summary>The raw value of a known key, or null; reports a missing required key.</summary>
    public TomlNode? Raw(string key, bool required = false)
    {
        _known.Add(key);
        if (Table.TryGet(key, out var entry))
        {
            return entry.Value;
        }

        if (required)
        {
            _errors.Add(Table.Position, $"missing required key '{key}'{Where}");
        }

        return null;
    }

    /// <summary>A non-empty string; null when absent or invalid (the error is reported).</summary>
    [SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The names of TOML's own types.")]
    public string? String(string key, bool required = false)
    {
        var node = Raw(key, required);
        if (node is null)
        {
            return null;
        }

        if (node is TomlScalarNode { Kind: TomlScalarKind.String, Value: string s })
        {
            if (s.Length == 0)
            {
                _errors.Add(node.Position, $"'{key}' in {Context} must not be empty");
                return null;
            }

            return s;
        }

        WrongType(key, "a string", node);
        return null;
    }

    /// <summary>An integer from <paramref name="min"/> to <paramref name="max"/>; null when absent or invalid (the error is reported).</summary>
    [SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The names of TOML's own types.")]
    public int? Integer(string key, int min, int max, bool required = false)
    {
        var node = Raw(key, required);
        if (node is null)
        {
            return null;
        }

        if (node is not TomlScalarNode { Kind: TomlScalarKind.Integer, Value: long value })
        {
            WrongType(key, "an integer", node);
            return null;
        }

        if (value < min || value > max)
        {
            _errors.Add(node.Position, $"'{key}' in {Context} must be between {min} and {max}, found {value}");
            return null;
        }

        return (int)value;
    }

    /// <summary>true or false; null when absent or invalid (the error is reported).</summary>
    public bool? Boolean(string key)
    {
        var node = Raw(key);
        if (node is null)
        {
            return null;
        }

        if (node is TomlScalarNode { Kind: TomlScalarKind.Boolean, Value: bool value })
        {
            return value;
        }

        WrongType(key, "true or false", node);
        return null;
    }

    /// <summary>A duration string such as "1s"; null when absent or invalid (the error is reported).</summary>
    public TimeSpan? Duration(string key)
    {
        var node = Raw(key);
        if (node is null)
        {
            return null;
        }

        if (node is not TomlScalarNode { Kind: TomlScalarKind.String, Value: string text })
        {
            WrongType(key, "a duration string such as \"1s\"", node);
            return null;
        }

        if (!Config.Duration.TryParse(text, out var value, out var error))
        {
            _errors.Add(node.Position, $"'{key}' in {Context}: {error}");
            return null;
        }

        return value;
    }

    /// <summary>An array of strings with the position of each; null when absent or of the wrong type.</summary>
    public List<(string Value, SourcePosition Position)>? Strings(string key, bool required = false)
    {
        var node = Raw(key, required);
        if (node is null)
        {
            return null;
        }

        if (node is not TomlArrayNode { IsTableArray: false } array)
        {
            WrongType(key, "an array of strings", node);
            return null;
        }

        var result = new List<(string, SourcePosition)>();
        var ok = true;
        foreach (var item in array.Items)
        {
            if (item is TomlScalarNode { Kind: TomlScalarKind.String, Value: string s } && s.Length > 0)
            {
                result.Add((s, item.Position));
            }
            else
            {
                _errors.Add(item.Position, $"'{key}' in {Context} must hold non-empty strings, found {item.Description}");
                ok = false;
            }
        }

        return ok ? result : null;
    }

    /// <summary>A sub-table (<c>[a.b]</c> or an inline table); null when absent or of the wrong type.</summary>
    public TomlTableNode? SubTable(string key)
    {
        var node = Raw(key);
        if (node is null)
        {
            return null;
        }

        if (node is TomlTableNode table)
        {
            return table;
        }

        WrongType(key, "a table", node);
        return null;
    }

    /// <summary>The elements of an array of tables (<c>[[key]]</c>); empty when absent or of the wrong type.</summary>
    public IReadOnlyList<TomlTableNode> TableArray(string key)
    {
        var node = Raw(key);
        if (node is null)
        {
            return [];
        }

        if (node is TomlArrayNode { IsTableArray: true } array)
        {
            return [.. array.Items.OfType<TomlTableNode>()];
        }

        if (node is TomlArrayNode inline && inline.Items.All(i => i is TomlTableNode { Origin: TomlTableOrigin.Inline }))
        {
            return [.. inline.Items.OfType<TomlTableNode>()];
        }

        WrongType(key, $"an array of tables ([[{key}]])", node);
        return [];
    }

    /// <summary>Reports every key of the table that the schema does not know.</summary>
    public void ReportUnknownKeys()
    {
        foreach (var entry in Table.Entries)
        {
            if (!_known.Contains(entry.Key))
            {
                var root = Table.Origin == TomlTableOrigin.Root;
                var what = entry.Value switch
                {
                    TomlTableNode when root => $"table [{entry.Key}]",
                    TomlArrayNode { IsTableArray: true } when root => $"table [[{entry.Key}]]",
                    _ => $"key '{entry.Key}'",
                };
                var position = root && entry.Value is TomlTableNode or TomlArrayNode { IsTableArray: true } ? entry.Value.Position : entry.KeyPosition;
                var hint = KeySuggester.Hint(entry.Key, _known);
                if (hint.Length == 0 && !root && _misplacedKeyHint is not null)
                {
                    hint = _misplacedKeyHint(entry.Key, Context);
                }

                _errors.Add(position, $"unknown {what}{Where}{hint}");
            }
        }
    }

    private void WrongType(string key, string expected, TomlNode found)
    {
        var what = found is TomlTableNode { Origin: TomlTableOrigin.Header } ? $"[{key}]" :
            found is TomlArrayNode { IsTableArray: true } ? $"[[{key}]]" : found.Description;
        _errors.Add(found.Position, $"'{key}'{Where} must be {expected}, found {what}");
    }
}
