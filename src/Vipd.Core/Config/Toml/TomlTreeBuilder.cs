using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Vipd.Core.Config.Toml;

/// <summary>
/// Turns Tomlyn's lossless syntax tree into a tree of tables, arrays and scalars that keeps the position of every
/// key and value. No reflection: safe under NativeAOT.
/// </summary>
public sealed class TomlTreeBuilder
{
    private readonly ErrorCollector _errors;

    private TomlTreeBuilder(ErrorCollector errors) => _errors = errors;

    /// <summary>
    /// Reads and parses the TOML file at <paramref name="path"/>; null, with the errors in <paramref name="errors"/>,
    /// when the file cannot be read or has syntax errors.
    /// </summary>
    public static TomlTableNode? ParseFile(string path, ErrorCollector errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            errors.Add(SourcePosition.Start, $"cannot read the config file: {ReadFailure(e, path)}");
            return null;
        }

        return Parse(text, errors);
    }

    /// <summary>
    /// Parses TOML text (<see cref="ErrorCollector.File"/> names it) into a tree; null, with the syntax errors in
    /// <paramref name="errors"/> (one per line, lower case), when the text is not valid TOML.
    /// </summary>
    public static TomlTableNode? Parse(string text, ErrorCollector errors)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(errors);
        var document = SyntaxParser.Parse(text, errors.File, true);
        if (!document.HasErrors)
        {
            return Build(document, errors);
        }

        // One error per line: after the first, Tomlyn's recovery mostly reports the same mistake again.
        var lines = new HashSet<int>();
        foreach (var diagnostic in document.Diagnostics)
        {
            if (diagnostic.Kind == DiagnosticMessageKind.Error && lines.Add(diagnostic.Span.Start.Line))
            {
                errors.Add(SourcePosition.FromTomlyn(diagnostic.Span.Start), Lower(diagnostic.Message));
            }
        }

        return null;
    }

    /// <summary>Builds the tree of a document that parsed without syntax errors.</summary>
    public static TomlTableNode Build(DocumentSyntax document, ErrorCollector errors)
    {
        var builder = new TomlTreeBuilder(errors);
        var root = new TomlTableNode(SourcePosition.Start, TomlTableOrigin.Root);
        foreach (var keyValue in document.KeyValues)
        {
            builder.AddKeyValue(root, keyValue);
        }

        foreach (var table in document.Tables)
        {
            var current = table is TableArraySyntax ? builder.OpenTableArray(root, table) : builder.OpenTable(root, table);
            if (current is null)
            {
                continue;
            }

            foreach (var keyValue in table.Items)
            {
                builder.AddKeyValue(current, keyValue);
            }
        }

        return root;
    }

    // In words of our own: NativeAOT builds with UseSystemResourceKeys carry resource keys, not sentences, in
    // the runtime's exception messages (IO_FileNotFound_FileName, ...).
    private static string ReadFailure(Exception e, string path) => e switch
    {
        _ when Directory.Exists(path) => "it is a directory",
        FileNotFoundException or DirectoryNotFoundException => "no such file",
        UnauthorizedAccessException => "permission denied",
        PathTooLongException => "the path is too long",
        _ => e.Message,
    };

    /// <summary>Tomlyn's messages start upper case and may end with a period; ours do neither.</summary>
    private static string Lower(string message)
    {
        message = message.TrimEnd('.');
        return message.Length > 1 && char.IsUpper(message[0]) && !char.IsUpper(message[1])
            ? char.ToLowerInvariant(message[0]) + message[1..]
            : message;
    }

    private static List<(string Key, SourcePosition Position)> KeyParts(KeySyntax key)
    {
        var parts = new List<(string, SourcePosition)>();
        if (key.Key is { } first)
        {
            parts.Add(KeyPart(first));
        }

        foreach (var dotted in key.DotKeys)
        {
            if (dotted.Key is { } part)
            {
                parts.Add(KeyPart(part));
            }
        }

        return parts;
    }

    private static (string, SourcePosition) KeyPart(BareKeyOrStringValueSyntax part)
    {
        var position = SourcePosition.FromTomlyn(part.Span.Start);
        return part switch
        {
            BareKeySyntax bare => (bare.Key?.Text ?? string.Empty, position),
            StringValueSyntax quoted => (quoted.Value ?? string.Empty, position),
            _ => (string.Empty, position),
        };
    }

    private static string Dotted(List<(string Key, SourcePosition Position)> parts) => string.Join('.', parts.Select(p => p.Key));

    /// <summary>Where a [table] or [[array]] header points: its dotted parts, the parent table, the last key, positions.</summary>
    private (List<(string Key, SourcePosition Position)> Parts, TomlTableNode Parent, string Key, SourcePosition KeyPosition, SourcePosition Header)? HeaderTarget(
        TomlTableNode root, TableSyntaxBase table)
    {
        var parts = table.Name is null ? [] : KeyParts(table.Name);
        if (parts.Count == 0 || Descend(root, parts, parts.Count - 1) is not { } parent)
        {
            return null;
        }

        var (key, keyPosition) = parts[^1];
        return (parts, parent, key, keyPosition, SourcePosition.FromTomlyn(table.Span.Start));
    }

    private TomlTableNode? OpenTable(TomlTableNode root, TableSyntaxBase table)
    {
        if (HeaderTarget(root, table) is not (var parts, var parent, var key, var keyPosition, var header))
        {
            return null;
        }

        if (!parent.TryGet(key, out var existing))
        {
            var created = new TomlTableNode(header, TomlTableOrigin.Header);
            parent.Add(new TomlEntry(key, keyPosition, created));
            return created;
        }

        if (existing.Value is TomlTableNode { Origin: TomlTableOrigin.Implicit } implicitTable)
        {
            implicitTable.Origin = TomlTableOrigin.Header;
            return implicitTable;
        }

        _errors.Add(header, $"[{Dotted(parts)}] is already defined at {existing.KeyPosition.Line}:{existing.KeyPosition.Column}");
        return null;
    }

    private TomlTableNode? OpenTableArray(TomlTableNode root, TableSyntaxBase table)
    {
        if (HeaderTarget(root, table) is not (var parts, var parent, var key, var keyPosition, var header))
        {
            return null;
        }

        var element = new TomlTableNode(header, TomlTableOrigin.ArrayElement);
        if (!parent.TryGet(key, out var existing))
        {
            var array = new TomlArrayNode(header, isTableArray: true);
            array.Items.Add(element);
            parent.Add(new TomlEntry(key, keyPosition, array));
            return element;
        }

        if (existing.Value is TomlArrayNode { IsTableArray: true } tables)
        {
            tables.Items.Add(element);
            return element;
        }

        _errors.Add(header, $"[[{Dotted(parts)}]] conflicts with '{key}' defined at {existing.KeyPosition.Line}:{existing.KeyPosition.Column}");
        return null;
    }

    /// <summary>Walks the first <paramref name="count"/> key parts, creating implicit tables on the way.</summary>
    private TomlTableNode? Descend(TomlTableNode table, List<(string Key, SourcePosition Position)> parts, int count)
    {
        var current = table;
        for (var i = 0; i < count; i++)
        {
            var (key, position) = parts[i];
            if (!current.TryGet(key, out var existing))
            {
                var created = new TomlTableNode(position, TomlTableOrigin.Implicit);
                current.Add(new TomlEntry(key, position, created));
                current = created;
                continue;
            }

            switch (existing.Value)
            {
                case TomlTableNode { Origin: not TomlTableOrigin.Inline } next:
                    current = next;
                    break;
                case TomlArrayNode { IsTableArray: true } array when array.Items.Count > 0:
                    current = (TomlTableNode)array.Items[^1];
                    break;
                default:
                    _errors.Add(position, $"'{key}' is already defined at {existing.KeyPosition.Line}:{existing.KeyPosition.Column} as {existing.Value.Description}");
                    return null;
            }
        }

        return current;
    }

    private void AddKeyValue(TomlTableNode table, KeyValueSyntax keyValue)
    {
        var parts = keyValue.Key is null ? [] : KeyParts(keyValue.Key);
        if (parts.Count == 0 || keyValue.Value is null)
        {
            return;
        }

        var parent = Descend(table, parts, parts.Count - 1);
        if (parent is null)
        {
            return;
        }

        var (key, keyPosition) = parts[^1];
        if (parent.TryGet(key, out var existing))
        {
            _errors.Add(keyPosition, $"'{Dotted(parts)}' is already defined at {existing.KeyPosition.Line}:{existing.KeyPosition.Column}");
            return;
        }

        var value = Convert(keyValue.Value);
        if (value is not null)
        {
            parent.Add(new TomlEntry(key, keyPosition, value));
        }
    }

    private TomlNode? Convert(ValueSyntax value)
    {
        var position = SourcePosition.FromTomlyn(value.Span.Start);
        switch (value)
        {
            case StringValueSyntax s:
                return new TomlScalarNode(position, TomlScalarKind.String, s.Value ?? string.Empty);
            case IntegerValueSyntax i:
                return new TomlScalarNode(position, TomlScalarKind.Integer, i.Value);
            case FloatValueSyntax f:
                return new TomlScalarNode(position, TomlScalarKind.Float, f.Value);
            case BooleanValueSyntax b:
                return new TomlScalarNode(position, TomlScalarKind.Boolean, b.Value);
            case DateTimeValueSyntax d:
                return new TomlScalarNode(position, TomlScalarKind.DateTime, d.ToString() ?? string.Empty);
            case ArraySyntax a:
                var array = new TomlArrayNode(position, isTableArray: false);
                foreach (var item in a.Items)
                {
                    if (item.Value is { } itemValue && Convert(itemValue) is { } converted)
                    {
                        array.Items.Add(converted);
                    }
                }

                return array;
            case InlineTableSyntax t:
                var inline = new TomlTableNode(position, TomlTableOrigin.Implicit);
                foreach (var item in t.Items)
                {
                    if (item.KeyValue is { } kv)
                    {
                        AddKeyValue(inline, kv);
                    }
                }

                inline.Origin = TomlTableOrigin.Inline;
                return inline;
            default:
                _errors.Add(position, "unsupported TOML value");
                return null;
        }
    }
}
