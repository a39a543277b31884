using Vipd.Core.Reconcile;

namespace Vipd.Core.Config;

/// <summary>
/// <c>[vip.announce]</c>: gratuitous ARPs / unsolicited NAs after a takeover (as keepalived's
/// <c>garp_master_*</c>): a burst, an optional second burst, then an optional periodic refresh, paced by a packet
/// budget per interface. <c>[announce]</c> holds the defaults of every VIP's keys.
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

    /// <summary>
    /// Announcement packets (ARP request and reply count as two, an NA as one) per second on the VIP's interface;
    /// 0 means no limit. The VIPs of one interface share one budget: the lowest rate among them wins.
    /// </summary>
    public int Rate { get; init; } = ConfigDefaults.AnnounceRate;

    /// <summary>Packets that may leave back to back within <see cref="Rate"/>; the lowest among an interface's VIPs wins.</summary>
    public int Burst { get; init; } = ConfigDefaults.AnnounceBurst;

    /// <summary>The defaults of every key (<see cref="ConfigDefaults"/>).</summary>
    public static AnnounceConfig Default { get; } = new()
    {
        Count = ConfigDefaults.AnnounceCount,
        Interval = ConfigDefaults.AnnounceInterval,
        SecondBurstAfter = ConfigDefaults.AnnounceSecondBurstAfter,
        Refresh = ConfigDefaults.AnnounceRefresh,
    };

    /// <summary>
    /// The announcer's policy for these keys. <c>second_burst_after = "0s"</c> means no second burst.
    /// </summary>
    public AnnouncementPolicy ToPolicy() => AnnouncementPolicy.Default with
    {
        BurstCount = Count,
        BurstInterval = Interval,
        SecondBurstDelay = SecondBurstAfter,
        SecondBurstCount = SecondBurstAfter > TimeSpan.Zero ? AnnouncementPolicy.Default.SecondBurstCount : 0,
        RefreshInterval = Refresh,
        Pacing = Rate == 0 ? AnnouncementPacing.Unlimited : new AnnouncementPacing(Rate, Burst),
    };
}
