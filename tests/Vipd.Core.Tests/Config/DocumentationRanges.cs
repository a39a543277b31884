using System.Net;

namespace Vipd.Core.Tests.Config;

/// <summary>The documentation address ranges (RFC 5737, RFC 3849): the only addresses tests and examples use.</summary>
internal static class DocumentationRanges
{
    private static readonly (IPAddress Network, int Prefix)[] Ranges =
    [
        (IPAddress.Parse("192.0.2.0"), 24),
        (IPAddress.Parse("198.51.100.0"), 24),
        (IPAddress.Parse("203.0.113.0"), 24),
        (IPAddress.Parse("2001:db8::"), 32),
    ];

    public static bool Contains(IPAddress address) =>
        Ranges.Any(r => r.Network.AddressFamily == address.AddressFamily && new IPNetwork(r.Network, r.Prefix).Contains(address));
}
