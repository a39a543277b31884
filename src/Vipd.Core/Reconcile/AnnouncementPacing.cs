using System.Net;
using System.Net.Sockets;

namespace Vipd.Core.Reconcile;

/// <summary>
/// The packet budget of one interface for gratuitous ARPs and unsolicited NAs: at most <see cref="Rate"/> packets in
/// any second, at most <see cref="Burst"/> of them back to back. Switches with ARP inspection shut a port that exceeds
/// theirs (Cisco DAI: 15 ARP/s on an untrusted port; ArubaOS: 30 ARPs in 5 s). Each VIP asks for a budget; the
/// VIPs of one interface share one, and the strictest wins (<see cref="Strictest"/>): the switch port has one limit.
/// </summary>
/// <param name="Rate">Packets per second; 0 for no limit (every announcement leaves when due). Otherwise at least 2.</param>
/// <param name="Burst">Packets that may leave back to back; at least 2 (one IPv4 round), capped at <see cref="Rate"/>.</param>
public sealed record AnnouncementPacing(int Rate, int Burst)
{
    /// <summary>Largest accepted rate and burst: far beyond any switch limit, small enough for the one-second window.</summary>
    public const int MaxRate = 10_000;

    /// <summary>No limit: every announcement leaves when its schedule says, as before pacing existed.</summary>
    public static AnnouncementPacing Unlimited { get; } = new(0, 0);

    /// <summary>
    /// 10 packets/s, burst 10: below Cisco DAI's default 15 ARP/s per untrusted port, and a burst that lets one VIP's
    /// first burst (3 rounds, 6 ARP frames) leave at once, so a single-VIP failover is not slowed.
    /// </summary>
    public static AnnouncementPacing Default { get; } = new(10, 10);

    /// <summary>True when there is no limit.</summary>
    public bool IsUnlimited => Rate == 0;

    /// <summary>The burst actually allowed: never more than the rate, as the one-second window caps it anyway.</summary>
    public int EffectiveBurst => Math.Min(Burst, Rate);

    /// <summary>
    /// The budget of an interface whose VIPs ask for <paramref name="a"/> and <paramref name="b"/>: the lowest rate
    /// and the lowest burst of those that set a limit; unlimited only when both are.
    /// </summary>
    public static AnnouncementPacing Strictest(AnnouncementPacing a, AnnouncementPacing b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.IsUnlimited)
        {
            return b;
        }

        if (b.IsUnlimited)
        {
            return a;
        }

        var strictest = new AnnouncementPacing(Math.Min(a.Rate, b.Rate), Math.Min(a.Burst, b.Burst));
        return strictest == a ? a : strictest == b ? b : strictest;
    }

    /// <summary>Packets one announcement round of <paramref name="address"/> sends: ARP request and reply, or one NA.</summary>
    public static int PacketsPerRound(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.AddressFamily == AddressFamily.InterNetwork ? 2 : 1;
    }

    /// <summary>Every problem with this budget, empty when it is usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Rate == 0)
        {
            return errors;
        }

        if (Rate is < 2 or > MaxRate)
        {
            errors.Add($"rate must be 0 (no limit) or 2 to {MaxRate} packets/s, not {Rate}");
        }

        if (Burst is < 2 or > MaxRate)
        {
            errors.Add($"burst must be 2 to {MaxRate} packets, not {Burst}");
        }

        return errors;
    }
}
