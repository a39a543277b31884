using Vipd.Core.Config.Toml;

namespace Vipd.Core.Config;

/// <summary>Collects every error of one load, so that all of them are reported at once.</summary>
public sealed class ErrorCollector
{
    private readonly List<ConfigError> _errors = [];

    /// <summary>Collects the errors of <paramref name="file"/> (the name as errors show it).</summary>
    public ErrorCollector(string file) => File = file;

    /// <summary>The file name every error carries.</summary>
    public string File { get; }

    /// <summary>How many errors so far.</summary>
    public int Count => _errors.Count;

    /// <summary>Adds an error at <paramref name="position"/> of the file.</summary>
    public void Add(SourcePosition position, string message) => _errors.Add(new ConfigError(File, position.Line, position.Column, message));

    /// <summary>Adds an error found elsewhere (another file, or a position of its own).</summary>
    public void Add(ConfigError error) => _errors.Add(error);

    /// <summary>The errors in file order (stable for errors at the same position).</summary>
    public EquatableArray<ConfigError> ToSortedArray() =>
        new([.. _errors.Select((e, i) => (e, i)).OrderBy(x => x.e.Line).ThenBy(x => x.e.Column).ThenBy(x => x.i).Select(x => x.e)]);
}
