using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Vipd.Core.Config;

/// <summary>
/// Strict address parsing for the config: dotted-quad IPv4 only (the BCL also takes "1" or "10.1" and means
/// something else), IPv6 without a scope, "ip:port" with IPv6 in brackets, and "ip/prefix".
/// </summary>
internal static class AddressParser
{
    public static bool TryParseAddress(string text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.Contains(':', StringComparison.Ordinal))
        {
            if (text.Contains('%', StringComparison.Ordinal) || text.Contains('[', StringComparison.Ordinal)
                || !IPAddress.TryParse(text, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }

            address = v6;
            return true;
        }

        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        var bytes = new byte[4];
        for (var i = 0; i < 4; i++)
        {
            var part = parts[i];

            // Leading zeros are rejected: other tools read "010" as octal 8.
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit) || (part.Length > 1 && part[0] == '0'))
            {
                return false;
            }

            var value = int.Parse(part, CultureInfo.InvariantCulture);
            if (value > 255)
            {
                return false;
            }

            bytes[i] = (byte)value;
        }

        address = new IPAddress(bytes);
        return true;
    }

    /// <summary>"ip:port", "[v6]:port", or (when <paramref name="defaultPort"/> is given) a bare address.</summary>
    public static bool TryParseEndPoint(string text, int? defaultPort, out IPEndPoint endPoint)
    {
        endPoint = new IPEndPoint(IPAddress.None, 0);
        if (defaultPort is { } port && TryParseAddress(text, out var bare))
        {
            endPoint = new IPEndPoint(bare, port);
            return true;
        }

        string host;
        string portText;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            host = text[1..close];
            portText = text[(close + 2)..];
            if (!host.Contains(':', StringComparison.Ordinal))
            {
                return false;
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon < 0 || text.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                return false;
            }

            host = text[..colon];
            portText = text[(colon + 1)..];
        }

        if (!TryParseAddress(host, out var address) || !TryParsePort(portText, out var p))
        {
            return false;
        }

        endPoint = new IPEndPoint(address, p);
        return true;
    }

    /// <summary>"host:port" where host may also be a DNS name: an <see cref="IPEndPoint"/> or a <see cref="DnsEndPoint"/>.</summary>
    public static bool TryParseHostPort(string text, out EndPoint endPoint)
    {
        endPoint = new IPEndPoint(IPAddress.None, 0);
        if (TryParseEndPoint(text, defaultPort: null, out var ip))
        {
            endPoint = ip;
            return true;
        }

        var colon = text.LastIndexOf(':');
        if (colon <= 0 || text.IndexOf(':', StringComparison.Ordinal) != colon || text.StartsWith('['))
        {
            return false;
        }

        var host = text[..colon];
        if (!TryParsePort(text[(colon + 1)..], out var port) || Uri.CheckHostName(host) != UriHostNameType.Dns
            || host.All(c => char.IsAsciiDigit(c) || c == '.'))
        {
            return false;
        }

        endPoint = new DnsEndPoint(host, port);
        return true;
    }

    /// <summary>"192.0.2.200/24" or "2001:db8::200/64".</summary>
    public static bool TryParseCidr(string text, out IPAddress address, out int prefixLength, out string error)
    {
        address = IPAddress.None;
        prefixLength = 0;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            error = TryParseAddress(text, out var bare)
                ? $"'{text}' needs a prefix length, such as \"{text}/{(bare.AddressFamily == AddressFamily.InterNetwork ? 24 : 64)}\""
                : $"invalid address '{text}'; expected CIDR such as \"192.0.2.200/24\" or \"2001:db8::200/64\"";
            return false;
        }

        if (!TryParseAddress(text[..slash], out address))
        {
            error = $"invalid address '{text[..slash]}' in '{text}'; expected CIDR such as \"192.0.2.200/24\" or \"2001:db8::200/64\"";
            return false;
        }

        var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = text[(slash + 1)..];
        if (prefix.Length is 0 or > 3 || !prefix.All(char.IsAsciiDigit) || int.Parse(prefix, CultureInfo.InvariantCulture) > max)
        {
            error = $"invalid prefix length '{prefix}' in '{text}'; expected 0 to {max}";
            return false;
        }

        prefixLength = int.Parse(prefix, CultureInfo.InvariantCulture);
        error = string.Empty;
        return true;
    }

    /// <summary>True for addresses a node or VIP can never be: unspecified, multicast, broadcast.</summary>
    public static bool IsUnusable(IPAddress address) =>
        address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast)
        || address.IsIPv6Multicast || (address.AddressFamily == AddressFamily.InterNetwork && address.GetAddressBytes()[0] is >= 224 and <= 239);

    private static bool TryParsePort(string text, out int port)
    {
        port = 0;
        return text.Length is > 0 and <= 5 && text.All(char.IsAsciiDigit)
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and <= 65535;
    }
}
