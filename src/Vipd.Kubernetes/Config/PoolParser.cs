using System.Net;
using System.Net.Sockets;

namespace Vipd.Kubernetes.Config;

/// <summary>Parses the entries of a pool's <c>addresses</c>: <c>"a-b"</c> ranges and CIDRs, IPv4 or IPv6.</summary>
internal static class PoolParser
{
    /// <summary>
    /// A CIDR gives all its addresses, except for IPv4 shorter than /31 its network and broadcast addresses (a host on
    /// the segment may treat those as special).
    /// </summary>
    public static bool TryParse(string text, out IpRange range, out string error)
    {
        range = default;
        error = string.Empty;
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash >= 0)
        {
            if (!IPAddress.TryParse(text.AsSpan(0, dash).Trim(), out var first) || !IPAddress.TryParse(text.AsSpan(dash + 1).Trim(), out var last))
            {
                error = $"invalid address range '{text}'; write \"192.0.2.10-192.0.2.20\"";
                return false;
            }

            if (first.AddressFamily != last.AddressFamily)
            {
                error = $"address range '{text}' mixes IPv4 and IPv6";
                return false;
            }

            var a = IpRange.ToNumber(first);
            var b = IpRange.ToNumber(last);
            if (a > b)
            {
                error = $"address range '{text}' ends before it starts";
                return false;
            }

            range = new IpRange(first.AddressFamily, a, b);
            return true;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            if (IPAddress.TryParse(text, out var single) && single.ToString().Length > 0)
            {
                var n = IpRange.ToNumber(single);
                range = new IpRange(single.AddressFamily, n, n);
                return true;
            }

            error = $"invalid pool entry '{text}'; write a CIDR (\"192.0.2.0/28\"), a range (\"192.0.2.10-192.0.2.20\") or one address";
            return false;
        }

        if (!IPAddress.TryParse(text.AsSpan(0, slash), out var network) || !int.TryParse(text.AsSpan(slash + 1), out var prefix))
        {
            error = $"invalid CIDR '{text}'";
            return false;
        }

        var bits = network.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (prefix < 0 || prefix > bits)
        {
            error = $"invalid prefix length in '{text}': must be between 0 and {bits}";
            return false;
        }

        var hostBits = bits - prefix;
        var mask = hostBits == 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;
        var start = IpRange.ToNumber(network);
        if ((start & mask) != 0)
        {
            error = $"'{text}' has host bits set; the network is {IpRange.FromNumber(start & ~mask, network.AddressFamily)}/{prefix}";
            return false;
        }

        var end = start | mask;
        if (network.AddressFamily == AddressFamily.InterNetwork && prefix < 31)
        {
            start++;
            end--;
        }

        range = new IpRange(network.AddressFamily, start, end);
        return true;
    }
}
