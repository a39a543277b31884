namespace Vipd.Core.Config;

/// <summary>
/// <c>[vip.announce]</c>: gratuitous ARPs / unsolicited NAs after a takeover (as keepalived's
/// <c>garp_master_*</c>): a burst, an optional second burst, then an optional periodic refresh.
/// </summary>
public sealed record AnnounceConfig
{
    /// <summary>Announcements per burst.</summary>
    public required int Count { get; init; }

    /// <summary>Gap between the announcements of one burst.</summary>
    public required TimeSpan Interval { get; init; }

    /// <summary>Delay from the first burst to the second; zero means no second burst.</summary>
    public required TimeSpan SecondBurstAfter { get; init; }

    /// <summary>Period of the refresh announcements while the VIP is held; zero means no refresh.</summary>
    public required TimeSpan Refresh { get; init; }
}
