using System.Net;

namespace Vipd.Core.Config;

/// <summary>
/// <c>[bgp]</c>: this node's BGP speaker, which is FRR (vipd never speaks BGP itself). vipd renders the FRR objects it
/// owns (the <c>router bgp</c> neighbours it lists, prefix-lists and route-maps named <c>VIPD-*</c>, the BFD profile
/// <c>vipd</c>) and applies them through <c>vtysh</c>; a VIP in <c>mode = "bgp"</c> is advertised by adding it to
/// <c>lo</c>, which FRR redistributes.
/// </summary>
public sealed record BgpConfig
{
    /// <summary>This node's autonomous system number (1–4294967295; examples and tests use 64512–65534).</summary>
    public required long Asn { get; init; }

    /// <summary>The BGP router id (an IPv4 address).</summary>
    public required IPAddress RouterId { get; init; }

    /// <summary>The FRR instance's pathspace (<c>vtysh -N</c>); null for the default instance.</summary>
    public string? Pathspace { get; init; }

    /// <summary>The vtysh program vipd runs, absolute.</summary>
    public string Vtysh { get; init; } = ConfigDefaults.Vtysh;

    /// <summary>How often vipd reads FRR's running config and re-applies its objects when they are missing (an FRR restart).</summary>
    public TimeSpan SyncInterval { get; init; } = ConfigDefaults.BgpSyncInterval;

    /// <summary>The <c>[[bgp.peer]]</c> tables in file order; addresses are unique.</summary>
    public required EquatableArray<BgpPeerConfig> Peers { get; init; }
}

/// <summary>One <c>[[bgp.peer]]</c>: a BGP neighbour of this node (usually its top-of-rack router).</summary>
public sealed record BgpPeerConfig
{
    /// <summary>The neighbour's address.</summary>
    public required IPAddress Address { get; init; }

    /// <summary>The neighbour's AS number.</summary>
    public required long Asn { get; init; }

    /// <summary>The TCP MD5 password of the session; null for none.</summary>
    public string? Password { get; init; }

    /// <summary>BFD on the session: FRR's bfdd tells bgpd of a dead path within <see cref="BfdInterval"/> × <see cref="BfdMultiplier"/>.</summary>
    public bool Bfd { get; init; } = ConfigDefaults.Bfd;

    /// <summary>BFD transmit and receive interval.</summary>
    public TimeSpan BfdInterval { get; init; } = ConfigDefaults.BfdInterval;

    /// <summary>BFD detect multiplier: missed packets before the path is declared down.</summary>
    public int BfdMultiplier { get; init; } = ConfigDefaults.BfdMultiplier;

    /// <summary>BGP keepalive interval (whole seconds).</summary>
    public TimeSpan Keepalive { get; init; } = ConfigDefaults.BgpKeepalive;

    /// <summary>BGP hold time (whole seconds, 0 or at least 3).</summary>
    public TimeSpan Hold { get; init; } = ConfigDefaults.BgpHold;
}
