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
        var errors = new ErrorCollector(path);
        return Bind(TomlTreeBuilder.ParseFile(path, errors), errors, path, options);
    }

    /// <summary>
    /// Loads config text; <paramref name="sourceName"/> names the file in errors and, unless
    /// <see cref="ConfigLoadOptions.BaseDirectory"/> is set, its folder anchors relative paths.
    /// </summary>
    public static ConfigResult Parse(string text, string sourceName, ConfigLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(sourceName);
        var errors = new ErrorCollector(sourceName);
        return Bind(TomlTreeBuilder.Parse(text, errors), errors, sourceName, options);
    }

    private static ConfigResult Bind(TomlTableNode? root, ErrorCollector errors, string sourceName, ConfigLoadOptions? options)
    {
        if (root is null)
        {
            return ConfigResult.Failure(errors.ToSortedArray());
        }

        options ??= ConfigLoadOptions.Default;
        var baseDirectory = options.BaseDirectory ?? Path.GetDirectoryName(Path.GetFullPath(sourceName)) ?? Directory.GetCurrentDirectory();
        var config = ConfigBinder.Bind(root, errors, options, baseDirectory);
        return config is not null && errors.Count == 0 ? ConfigResult.Success(config) : ConfigResult.Failure(errors.ToSortedArray());
    }
}
