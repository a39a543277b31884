using System.Net;

namespace Vipd.Lab.Daemon;

/// <summary>How <see cref="VipdCluster"/> configures its nodes.</summary>
public sealed record VipdClusterOptions
{
    /// <summary>The VIPs every node serves: name, address and prefix length (on each node's eth0).</summary>
    public IReadOnlyList<(string Name, IPAddress Address, int PrefixLength)> Vips { get; init; } =
        [("web", LabNetwork.Vip4, 24)];

    /// <summary>
    /// <paramref name="count"/> /32 VIPs (2 to 508) named "vip-ADDRESS": the first half from 198.51.100.1 up, the
    /// rest from 203.0.113.1 up (400 gives 198.51.100.1-200 and 203.0.113.1-200). Off the nodes' 192.0.2.0/24: a
    /// client reaches them through <see cref="LabHost.AddOnLinkRouteAsync"/>.
    /// </summary>
    public static IReadOnlyList<(string Name, IPAddress Address, int PrefixLength)> ManyVips(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, 2 * 254);
        var first = (count + 1) / 2;
        var vips = new List<(string, IPAddress, int)>(count);
        for (var i = 0; i < count; i++)
        {
            var address = i < first ? new IPAddress([198, 51, 100, (byte)(i + 1)]) : new IPAddress([203, 0, 113, (byte)(i - first + 1)]);
            vips.Add(($"vip-{address}", address, 32));
        }

        return vips;
    }

    /// <summary>The interface every VIP is bound to; null for each node's eth0 (BGP VIPs use "lo").</summary>
    public string? VipInterface { get; init; }

    /// <summary>Membership timing profile: "default" or "fast".</summary>
    public string Profile { get; init; } = "default";

    /// <summary>Extra TOML appended to every node's config (e.g. a [cluster] quorum line is not possible; use <see cref="ClusterExtra"/>).</summary>
    public string VipExtra { get; init; } = string.Empty;

    /// <summary>Extra lines inside [cluster].</summary>
    public string ClusterExtra { get; init; } = string.Empty;

    /// <summary>Extra lines inside [api] (e.g. <c>mutating_group = "..."</c>).</summary>
    public string ApiExtra { get; init; } = string.Empty;

    /// <summary>Extra lines inside one node's [api], after <see cref="ApiExtra"/> (e.g. <c>vip_prefixes</c> that differ per node).</summary>
    public Func<LabHost, string>? ApiFor { get; init; }

    /// <summary>When set, every node serves Prometheus metrics on its own address and this port.</summary>
    public int? MetricsPort { get; init; }

    /// <summary>Extra TOML appended to one node's config (e.g. [[check]] tables that differ per node).</summary>
    public Func<LabHost, string>? NodeExtra { get; init; }

    /// <summary>Log level of the daemons.</summary>
    public string LogLevel { get; init; } = "information";
}
