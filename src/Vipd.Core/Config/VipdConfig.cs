namespace Vipd.Core.Config;

/// <summary>
/// The whole vipd config (<c>/etc/vipd/vipd.toml</c>), validated, normalised and typed: defaults are applied,
/// durations are <see cref="TimeSpan"/>s and addresses are parsed, so the daemon never re-parses. Value equality
/// throughout, so a reload can compare old and new (see <see cref="ConfigDiff"/>).
/// </summary>
public sealed record VipdConfig
{
    /// <summary>The file the config was loaded from, as given to the loader.</summary>
    public required string SourcePath { get; init; }

    public required NodeConfig Node { get; init; }

    public required ClusterConfig Cluster { get; init; }

    public required ApiConfig Api { get; init; }

    public required MetricsConfig Metrics { get; init; }

    public required LoggingConfig Logging { get; init; }

    /// <summary>
    /// <c>[announce]</c>: the defaults of every VIP's <c>[vip.announce]</c> keys (each VIP already carries the result);
    /// for VIPs that come from elsewhere (dynamic VIPs).
    /// </summary>
    public AnnounceConfig Announce { get; init; } = AnnounceConfig.Default;

    /// <summary><c>[bgp]</c>: FRR and its peers; null when the file has no <c>[bgp]</c> (no VIP may then use <c>mode = "bgp"</c>).</summary>
    public BgpConfig? Bgp { get; init; }

    /// <summary>The <c>[[vip]]</c> tables in file order; names are unique.</summary>
    public required EquatableArray<VipConfig> Vips { get; init; }

    /// <summary>The <c>[[check]]</c> tables in file order; names are unique.</summary>
    public required EquatableArray<CheckConfig> Checks { get; init; }

    /// <summary>The VIP of that name, or null.</summary>
    public VipConfig? FindVip(string name) => Vips.FirstOrDefault(v => v.Name == name);

    /// <summary>The check of that name, or null.</summary>
    public CheckConfig? FindCheck(string name) => Checks.FirstOrDefault(c => c.Name == name);
}
