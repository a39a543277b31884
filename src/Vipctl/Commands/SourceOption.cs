using System.CommandLine;

namespace Vipctl.Commands;

/// <summary>The <c>--source S</c> option of <c>vip apply</c> and <c>vip remove</c>.</summary>
internal static class SourceOption
{
    public static Option<string> Create() => new("--source", "-s")
    {
        Description = "The source that owns the VIPs: 1-63 of [A-Za-z0-9._-] (\"config\" is reserved)",
        HelpName = "SOURCE",
        Required = true,
    };
}
