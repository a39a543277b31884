using Vipd.Core.Config.Toml;

namespace Vipd.Core.Config;

/// <summary>
/// Binds the position-carrying TOML tree to the typed config, collecting every error: wrong types and ranges,
/// unknown keys, bad addresses and durations, broken cross references and impossible combinations.
/// </summary>
internal sealed partial class ConfigBinder
{
    private static readonly string[] TopLevelTables = ["node", "cluster", "api", "metrics", "logging", "announce", "vip", "check", "bgp"];

    private readonly ErrorCollector _errors;
    private readonly ConfigLoadOptions _options;
    private readonly string _baseDirectory;

    private ConfigBinder(ErrorCollector errors, ConfigLoadOptions options, string baseDirectory)
    {
        _errors = errors;
        _options = options;
        _baseDirectory = baseDirectory;
    }

    /// <summary>The config, or null when any error was reported to <paramref name="errors"/>.</summary>
    public static VipdConfig? Bind(TomlTableNode root, ErrorCollector errors, ConfigLoadOptions options, string baseDirectory) =>
        new ConfigBinder(errors, options, baseDirectory).BindRoot(root);

    private VipdConfig? BindRoot(TomlTableNode root)
    {
        var reader = new TableReader(root, "the file", _errors);
        reader.Known(TopLevelTables);
        reader.ReportUnknownKeys();

        var node = BindNode(Section(reader, "node", required: true));
        var cluster = BindCluster(Section(reader, "cluster", required: true), node);
        var api = BindApi(Section(reader, "api", required: false));
        var metrics = BindMetrics(Section(reader, "metrics", required: false));
        var logging = BindLogging(Section(reader, "logging", required: false));
        var announce = BindGlobalAnnounce(Section(reader, "announce", required: false));
        var checks = BindChecks(reader.TableArray("check"));
        var bgp = reader.Has("bgp") ? BindBgp(Section(reader, "bgp", required: false)) : null;
        var vips = BindVips(reader.TableArray("vip"), node, cluster, announce ?? AnnounceConfig.Default, bgp);

        if (_errors.Count > 0 || node is null || cluster is null || api is null || metrics is null || logging is null || announce is null)
        {
            return null;
        }

        return new VipdConfig
        {
            SourcePath = _errors.File,
            Node = node,
            Cluster = cluster,
            Api = api,
            Metrics = metrics,
            Logging = logging,
            Announce = announce,
            Bgp = bgp,
            Checks = new(checks),
            Vips = new([.. vips]),
        };
    }

    /// <summary>A reader for a top-level table; an empty one when an optional table is absent.</summary>
    private TableReader? Section(TableReader root, string name, bool required)
    {
        var node = root.Raw(name);
        switch (node)
        {
            case null when required:
                _errors.Add(SourcePosition.Start, $"missing required table [{name}]");
                return null;
            case null:
                return new TableReader(new TomlTableNode(SourcePosition.Start, TomlTableOrigin.Implicit), $"[{name}]", _errors);
            case TomlTableNode table:
                return new TableReader(table, $"[{name}]", _errors);
            default:
                var found = node is TomlArrayNode { IsTableArray: true } ? $"[[{name}]]" : node.Description;
                _errors.Add(node.Position, $"'{name}' must be a table ([{name}]), found {found}");
                return null;
        }
    }

    /// <summary>A path from the file made absolute against the config file's folder.</summary>
    private string ResolvePath(string path) => Path.GetFullPath(path, _baseDirectory);

    private void RequireFile(TableReader reader, string key, string path, string what)
    {
        if (_options.CheckFiles && !File.Exists(path))
        {
            reader.Error(reader.PositionOf(key), $"{what} '{path}' does not exist");
        }
    }

    /// <summary>A name that follows <see cref="Names.IsValidName"/>; reports and returns null otherwise.</summary>
    private static string? ValidName(TableReader reader, string key, string? name, string what)
    {
        if (name is null)
        {
            return null;
        }

        if (!Names.IsValidName(name))
        {
            reader.Error(reader.PositionOf(key), $"invalid {what} '{name}'; {Names.NameRule}");
            return null;
        }

        return name;
    }
}
