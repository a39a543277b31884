namespace Vipd.Core.Config;

/// <summary>A named set of membership timings (<c>[cluster] profile</c>); explicit keys override it.</summary>
public enum MembershipProfile
{
    /// <summary>LAN defaults: a crashed node is marked dead in about 200 ms, at about 1 KB/s per node.</summary>
    Default = 0,

    /// <summary>Fast failover: detection in tens of milliseconds, at about ten times the probe traffic.</summary>
    Fast = 1,
}
