using Tomlyn.Parsing;
using Vipd.Core.Config.Toml;

namespace Vipd.Core.Config;

/// <summary>
/// Loads <c>vipd.toml</c>: TOML syntax, then the schema (types, ranges, unknown keys with suggestions), then
/// cross references (checks, nodes, duplicate names and addresses) and timings. Every error is collected and
/// reported as <c>FILE:LINE:COL: message</c>. Reflection-free (Tomlyn's syntax tree only): NativeAOT-safe.
/// </summary>
public static class ConfigLoader
{
    /// <summary>Reads and loads the config file at <paramref name="path"/>.</summary>
    public static ConfigResult Load(string path, ConfigLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return ConfigResult.Failure(new([new ConfigError(path, 1, 1, $"cannot read the config file: {ReadFailure(e, path)}")]));
        }

        return Parse(text, path, options);
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

    /// <summary>
    /// Loads config text; <paramref name="sourceName"/> names the file in errors and, unless
    /// <see cref="ConfigLoadOptions.BaseDirectory"/> is set, its folder anchors relative paths.
    /// </summary>
    public static ConfigResult Parse(string text, string sourceName, ConfigLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(sourceName);
        options ??= ConfigLoadOptions.Default;
        var errors = new ErrorCollector(sourceName);

        var document = SyntaxParser.Parse(text, sourceName, true);
        if (document.HasErrors)
        {
            // One error per line: after the first, Tomlyn's recovery mostly reports the same mistake again.
            var lines = new HashSet<int>();
            foreach (var diagnostic in document.Diagnostics)
            {
                if (diagnostic.Kind == Tomlyn.Syntax.DiagnosticMessageKind.Error && lines.Add(diagnostic.Span.Start.Line))
                {
                    errors.Add(SourcePosition.FromTomlyn(diagnostic.Span.Start), Lower(diagnostic.Message));
                }
            }

            return ConfigResult.Failure(errors.ToSortedArray());
        }

        var root = TomlTreeBuilder.Build(document, errors);
        var baseDirectory = options.BaseDirectory ?? Path.GetDirectoryName(Path.GetFullPath(sourceName)) ?? Directory.GetCurrentDirectory();
        var config = ConfigBinder.Bind(root, errors, options, baseDirectory);
        return config is not null && errors.Count == 0 ? ConfigResult.Success(config) : ConfigResult.Failure(errors.ToSortedArray());
    }

    /// <summary>Tomlyn's messages start upper case and may end with a period; ours do neither.</summary>
    private static string Lower(string message)
    {
        message = message.TrimEnd('.');
        return message.Length > 1 && char.IsUpper(message[0]) && !char.IsUpper(message[1])
            ? char.ToLowerInvariant(message[0]) + message[1..]
            : message;
    }
}
