namespace Vipd.Core.Config;

/// <summary>What a <c>[[check]]</c> probes (<c>type</c>).</summary>
public enum CheckType
{
    /// <summary>Runs a command; exit status 0 passes.</summary>
    Exec = 0,

    /// <summary>Opens a TCP connection; connected within the timeout passes.</summary>
    Tcp = 1,

    /// <summary>GETs a URL over plain HTTP; the expected status passes.</summary>
    Http = 2,

    /// <summary>GETs a URL over HTTPS; the expected status passes.</summary>
    Https = 3,

    /// <summary>An interface is up with carrier.</summary>
    Interface = 4,

    /// <summary>A file holds a number (a priority shift), not the word fault, and can be read.</summary>
    File = 5,
}
