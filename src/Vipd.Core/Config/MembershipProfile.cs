namespace Vipd.Core.Config;

/// <summary>A named set of membership timings (<c>[cluster] profile</c>); explicit keys override it.</summary>
public enum MembershipProfile
{
    /// <summary>LAN defaults: failure detected in about 2 s with little traffic.</summary>
    Default = 0,

    /// <summary>Fast failover: failure detected in under 1 s, at several times the packet rate.</summary>
    Fast = 1,
}
