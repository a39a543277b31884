namespace Vipd.Linux.Interfaces;

/// <summary>
/// Reads whether an interface forwards (routes) IPv4/IPv6 packets: <c>/proc/sys/net/ipv{4,6}/conf/IF/forwarding</c>.
/// The announcer sets the Router flag of unsolicited Neighbor Advertisements from the IPv6 value.
/// </summary>
/// <remarks>
/// /proc/sys/net shows the network namespace of the <em>calling thread</em> (checked in the lab: a thread that
/// joined a namespace with setns(2) reads that namespace's values), unlike /proc/net and /sys/class/net, which show
/// the process's (thread-group leader's) and the mounting namespace's. Call these on a thread of the namespace the
/// interface lives in, such as the one that constructed the netlink objects.
/// </remarks>
public static class Forwarding
{
    private const string Root = "/proc/sys/net";

    /// <summary>True when IPv6 forwarding is on for the interface; null when the interface (or IPv6) is absent.</summary>
    public static bool? IPv6(string interfaceName) => Read($"{Root}/ipv6/conf/{Check(interfaceName)}/forwarding");

    /// <summary>True when IPv4 forwarding is on for the interface; null when the interface is absent.</summary>
    public static bool? IPv4(string interfaceName) => Read($"{Root}/ipv4/conf/{Check(interfaceName)}/forwarding");

    /// <summary>Parses a sysctl integer file's text: "1\n" → true, "0\n" → false.</summary>
    internal static bool? Parse(string text) =>
        int.TryParse(text.AsSpan().Trim(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value != 0
            : null;

    private static bool? Read(string path)
    {
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static string Check(string interfaceName)
    {
        ArgumentException.ThrowIfNullOrEmpty(interfaceName);
        if (interfaceName is "." or ".." || interfaceName.Contains('/', StringComparison.Ordinal) || interfaceName.Length >= Native.IfConstants.IFNAMSIZ)
        {
            throw new ArgumentException($"Not an interface name: {interfaceName}", nameof(interfaceName));
        }

        return interfaceName;
    }
}
