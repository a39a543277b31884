namespace Vipd.Core.Config;

/// <summary>How <see cref="ConfigLoader"/> loads a config.</summary>
public sealed record ConfigLoadOptions
{
    /// <summary>The options <c>vipd run</c> and <c>vipd check</c> use.</summary>
    public static readonly ConfigLoadOptions Default = new();

    /// <summary>
    /// Check that referenced files exist (the cluster key file, TLS files, exec check commands). Off for tests and
    /// for validating a config on a machine other than the node.
    /// </summary>
    public bool CheckFiles { get; init; } = true;

    /// <summary>The default for <c>[node] name</c>; null means this machine's host name.</summary>
    public string? HostName { get; init; }

    /// <summary>
    /// The folder that relative paths (such as <c>key_file</c>) are resolved against; null means the config file's folder.
    /// </summary>
    public string? BaseDirectory { get; init; }
}
