using Vipd.Kubernetes.Config.Toml;

namespace Vipd.Kubernetes.Config;

/// <summary>Collects every error of one load, so that all of them are reported at once.</summary>
internal sealed class ErrorCollector
{
    private readonly List<ConfigError> _errors = [];

    public ErrorCollector(string file) => File = file;

    public string File { get; }

    public int Count => _errors.Count;

    public void Add(SourcePosition position, string message) => _errors.Add(new ConfigError(File, position.Line, position.Column, message));

    public void Add(ConfigError error) => _errors.Add(error);

    /// <summary>The errors in file order (stable for errors at the same position).</summary>
    public IReadOnlyList<ConfigError> ToSortedArray() =>
        [.. _errors.Select((e, i) => (e, i)).OrderBy(x => x.e.Line).ThenBy(x => x.e.Column).ThenBy(x => x.i).Select(x => x.e)];
}
