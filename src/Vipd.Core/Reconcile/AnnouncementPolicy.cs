namespace Vipd.Core.Reconcile;

/// <summary>
/// When a VIP's owner tells the Layer 2 network where the VIP lives: a first burst at once, a second burst a little
/// later, then a periodic refresh (keepalived's <c>garp_master_repeat</c>, <c>garp_master_delay</c> and
/// <c>garp_master_refresh</c>). Each announcement is one round of <see cref="INeighborAnnouncer.Announce"/>.
/// </summary>
/// <param name="BurstCount">Announcements in the first burst; the first one leaves at once. At least 1.</param>
/// <param name="BurstInterval">Time between the announcements of one burst. Greater than zero.</param>
/// <param name="SecondBurstDelay">Time from the first announcement of the first burst to the second burst.</param>
/// <param name="SecondBurstCount">Announcements in the second burst; 0 for none.</param>
/// <param name="RefreshInterval">Time between refresh announcements after the bursts; zero for none.</param>
public sealed record AnnouncementPolicy(
    int BurstCount,
    TimeSpan BurstInterval,
    TimeSpan SecondBurstDelay,
    int SecondBurstCount,
    TimeSpan RefreshInterval)
{
    /// <summary>Fast and robust on a LAN: three at once, two more after 2 s, then one a minute.</summary>
    public static AnnouncementPolicy Default { get; } = new(
        // 3: one or two lost frames (a busy switch queue, a port still coming up) still leave one that arrives.
        BurstCount: 3,
        // 50 ms: far enough apart to outlast a short loss burst, close enough that the burst is over in 100 ms.
        BurstInterval: TimeSpan.FromMilliseconds(50),
        // 2 s: catches switch ports and bonds still converging after a failover (keepalived waits 5 s).
        SecondBurstDelay: TimeSpan.FromSeconds(2),
        // 2: the second burst is insurance, two frames are enough.
        SecondBurstCount: 2,
        // 60 s: well inside the 300 s FDB ageing of Linux bridges and most switches, so no switch forgets the port.
        RefreshInterval: TimeSpan.FromSeconds(60));

    /// <summary>No announcement at all: a BGP VIP on <c>lo</c>, which FRR advertises (no ARP/NA may leave for it).</summary>
    public static AnnouncementPolicy Silent { get; } = Default with { IsSilent = true };

    /// <summary>True when nothing is ever announced for the VIP (<see cref="Silent"/>).</summary>
    public bool IsSilent { get; init; }

    /// <summary>
    /// The packet budget this VIP asks for on its interface; the strictest of the interface's VIPs wins. Unlimited
    /// here (announce as scheduled); the config's default is <see cref="AnnouncementPacing.Default"/>.
    /// </summary>
    public AnnouncementPacing Pacing { get; init; } = AnnouncementPacing.Unlimited;

    /// <summary>Every problem with this policy, empty when it is usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        errors.AddRange(Pacing.Validate());
        if (BurstCount < 1)
        {
            errors.Add($"burst count must be at least 1, not {BurstCount}");
        }

        if (BurstInterval <= TimeSpan.Zero)
        {
            errors.Add($"burst interval must be greater than zero, not {BurstInterval}");
        }

        if (SecondBurstCount < 0)
        {
            errors.Add($"second burst count must not be negative, not {SecondBurstCount}");
        }

        if (SecondBurstDelay < TimeSpan.Zero)
        {
            errors.Add($"second burst delay must not be negative, not {SecondBurstDelay}");
        }

        if (RefreshInterval < TimeSpan.Zero)
        {
            errors.Add($"refresh interval must not be negative, not {RefreshInterval}");
        }

        return errors;
    }
}
