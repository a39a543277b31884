namespace Vipd.Core.Config.Toml;

/// <summary>How a table came into being; TOML allows extending some of them and not others.</summary>
public enum TomlTableOrigin
{
    /// <summary>The document itself.</summary>
    Root,

    /// <summary>A <c>[name]</c> header.</summary>
    Header,

    /// <summary>One element of a <c>[[name]]</c> array of tables.</summary>
    ArrayElement,

    /// <summary>An inline table <c>{ a = 1 }</c>, closed once written.</summary>
    Inline,

    /// <summary>Created on the way by a dotted key or by a header for a sub-table.</summary>
    Implicit,
}
