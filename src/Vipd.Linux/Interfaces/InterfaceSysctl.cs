namespace Vipd.Linux.Interfaces;

/// <summary>
/// Reads the per-interface sysctls vipd cares about from <c>/proc/sys/net/ipv{4,6}/conf/IF/…</c>: forwarding (the
/// announcer sets the Router flag of unsolicited Neighbor Advertisements from the IPv6 value) and
/// promote_secondaries (see <see cref="PromoteSecondaries"/>).
/// </summary>
/// <remarks>
/// /proc/sys/net shows the network namespace of the <em>calling thread</em> (checked in the lab: a thread that
/// joined a namespace with setns(2) reads that namespace's values), unlike /proc/net and /sys/class/net, which show
/// the process's (thread-group leader's) and the mounting namespace's. Call these on a thread of the namespace the
/// interface lives in, such as the one that constructed the netlink objects.
/// </remarks>
public static class InterfaceSysctl
{
    private const string Root = "/proc/sys/net";

    /// <summary>True when IPv6 forwarding is on for the interface; null when the interface (or IPv6) is absent.</summary>
    public static bool? IPv6Forwarding(string interfaceName) => Read($"{Root}/ipv6/conf/{Check(interfaceName)}/forwarding");

    /// <summary>True when IPv4 forwarding is on for the interface; null when the interface is absent.</summary>
    public static bool? IPv4Forwarding(string interfaceName) => Read($"{Root}/ipv4/conf/{Check(interfaceName)}/forwarding");

    /// <summary>
    /// net.ipv4.conf.IF.promote_secondaries; null when the interface is absent. When off, removing the primary IPv4
    /// address of a subnet makes the kernel delete every secondary address of that subnet as well, so removing one
    /// VIP can take other VIPs (in a subnet the node has no address of its own in) with it. systemd turns it on by
    /// default (sysctl.d/50-default.conf); vipd should warn at startup when it is off on a VIP interface.
    /// </summary>
    public static bool? PromoteSecondaries(string interfaceName) => Read($"{Root}/ipv4/conf/{Check(interfaceName)}/promote_secondaries");

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
