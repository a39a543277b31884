using System.Globalization;

namespace Vipd.Lab.Keepalived;

/// <summary>
/// The keepalived settings vipd is compared with, one per vipd profile. Everything not named here stays at
/// keepalived's defaults (preempt on, garp_master_delay 5, no authentication, multicast adverts to 224.0.0.18).
/// </summary>
/// <param name="Name">"default" or "fast", as vipd's profiles.</param>
/// <param name="VrrpVersion">2 or 3 (<c>vrrp_version</c>).</param>
/// <param name="AdvertInterval">advert_int in seconds: VRRPv2 takes whole seconds only, VRRPv3 centiseconds (keepalived 2.2.7 refuses below 0.01 s).</param>
public sealed record KeepalivedProfile(string Name, int VrrpVersion, double AdvertInterval)
{
    /// <summary>keepalived's defaults: VRRPv2, <c>advert_int 1</c>. A backup takes over 3 adverts + skew after the last one (~3.6 s).</summary>
    public static KeepalivedProfile Default { get; } = new("default", 2, 1);

    /// <summary>The fastest common keepalived setting: VRRPv3, <c>advert_int 0.02</c> (takeover after ~72 ms of silence).</summary>
    public static KeepalivedProfile Fast { get; } = new("fast", 3, 0.02);

    /// <summary>The profile named <paramref name="name"/> ("default" or "fast").</summary>
    public static KeepalivedProfile ByName(string name) => name switch
    {
        "default" => Default,
        "fast" => Fast,
        _ => throw new ArgumentException($"no keepalived profile '{name}' (default, fast)", nameof(name)),
    };

    /// <summary>advert_int as written in the config.</summary>
    public string AdvertIntText => AdvertInterval.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>
    /// How long a backup of <paramref name="priority"/> waits after the last advert before it takes over (RFC 5798's
    /// Master_Down_Interval: 3 × advert + skew, skew = (256 − priority) × advert / 256).
    /// </summary>
    public TimeSpan MasterDownInterval(int priority) => TimeSpan.FromSeconds((3 * AdvertInterval) + ((256 - priority) * AdvertInterval / 256));
}
