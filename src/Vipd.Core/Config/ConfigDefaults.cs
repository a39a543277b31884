using Microsoft.Extensions.Logging;
using Vipd.Core.Membership;
using Vipd.Core.Reconcile;

namespace Vipd.Core.Config;

/// <summary>Every default of the config in one place, each with the reason for its value.</summary>
public static class ConfigDefaults
{
    /// <summary>UDP gossip port: not 7946, which Docker Swarm and MetalLB's memberlist already use.</summary>
    public const int Port = 7450;

    /// <summary>A single cluster key lives next to the config, made by <c>vipd keygen</c>.</summary>
    public const string KeyFile = "/etc/vipd/cluster.key";

    /// <summary>Quorum off: a two-node cluster (the common case) can never hold a majority after losing one node.</summary>
    public const bool Quorum = false;

    /// <summary>The LAN profile; <c>fast</c> is opt-in because it multiplies the packet rate.</summary>
    public const MembershipProfile Profile = MembershipProfile.Default;

    /// <summary>Three indirect probers, as memberlist: enough to tell a dead node from one lost packet.</summary>
    public static readonly int IndirectChecks = MembershipOptions.Default.IndirectChecks;

    /// <summary>Three gossip targets per round, as memberlist: changes reach every node in O(log n) rounds.</summary>
    public static readonly int GossipFanout = MembershipOptions.Default.GossipFanout;

    /// <summary>Under systemd's <c>StateDirectory=vipd</c>: the dynamic VIPs and Move preferences survive a restart there.</summary>
    public const string StateDirectory = "/var/lib/vipd";

    /// <summary>The socket under systemd's <c>RuntimeDirectory=vipd</c>; file permissions guard it.</summary>
    public const string ApiSocket = "/run/vipd/vipd.sock";

    /// <summary>Information: VIP moves and member changes, which is what an operator acts on.</summary>
    public const LogLevel LogLevel = Microsoft.Extensions.Logging.LogLevel.Information;

    /// <summary>Console lines: journald stores them with their own time stamps.</summary>
    public const LogFormat LogFormat = Config.LogFormat.Console;

    /// <summary>VRRP's default priority, so mixed keepalived habits carry over; leaves room both ways.</summary>
    public const int Priority = 100;

    /// <summary>Lowest priority; 0 is reserved (VRRP uses it for "stepping down").</summary>
    public const int MinPriority = 1;

    /// <summary>Highest priority, as VRRP.</summary>
    public const int MaxPriority = 255;

    /// <summary>Preempt on, as keepalived: the preferred node gets its VIP back once it is healthy again.</summary>
    public const bool Preempt = true;

    /// <summary>No preempt delay, as keepalived; set one to ride out a flapping node.</summary>
    public static readonly TimeSpan PreemptDelay = TimeSpan.Zero;

    /// <summary>Burst size: <see cref="AnnouncementPolicy.Default"/> is the one home of announcement defaults and their reasons.</summary>
    public static readonly int AnnounceCount = AnnouncementPolicy.Default.BurstCount;

    /// <summary>Spacing within a burst (see <see cref="AnnouncementPolicy.Default"/>).</summary>
    public static readonly TimeSpan AnnounceInterval = AnnouncementPolicy.Default.BurstInterval;

    /// <summary>Delay of the second burst (see <see cref="AnnouncementPolicy.Default"/>).</summary>
    public static readonly TimeSpan AnnounceSecondBurstAfter = AnnouncementPolicy.Default.SecondBurstDelay;

    /// <summary>Periodic refresh, below the usual 300 s switch FDB ageing (see <see cref="AnnouncementPolicy.Default"/>).</summary>
    public static readonly TimeSpan AnnounceRefresh = AnnouncementPolicy.Default.RefreshInterval;

    /// <summary>
    /// 10 announcement packets/s per interface: below Cisco DAI's default 15 ARP/s per untrusted port (see
    /// <see cref="AnnouncementPacing.Default"/>). ArubaOS (30 ARPs in 5 s) needs <c>rate = 6</c>.
    /// </summary>
    public static readonly int AnnounceRate = AnnouncementPacing.Default.Rate;

    /// <summary>Burst of 10 packets: one VIP's first burst (6 ARP frames) leaves at once (see <see cref="AnnouncementPacing.Default"/>).</summary>
    public static readonly int AnnounceBurst = AnnouncementPacing.Default.Burst;

    /// <summary>10 s for a notify script: enough for a service reload, short enough that a hung one is noticed.</summary>
    public static readonly TimeSpan NotifyTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Checks every second, as keepalived's <c>vrrp_script</c>.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    /// <summary>Two passes to recover: a node that just came back is not trusted on one lucky probe.</summary>
    public const int CheckRise = 2;

    /// <summary>Two failures to fail: one lost probe does not move a VIP.</summary>
    public const int CheckFall = 2;

    /// <summary>Weight 0: a failed check makes the node ineligible (the safe reading of "health check").</summary>
    public const int CheckWeight = 0;

    /// <summary>Largest weight either way, as keepalived (±253 keeps a priority inside 1–255 reachable).</summary>
    public const int MaxCheckWeight = 254;

    /// <summary>HTTP 200: what a health endpoint returns when it is healthy.</summary>
    public const int ExpectStatus = 200;

    /// <summary>Certificates are validated: skipping it must be a visible choice in the file.</summary>
    public const bool InsecureSkipVerify = false;

    /// <summary>The timings of <paramref name="profile"/>.</summary>
    public static MembershipTimings Timings(MembershipProfile profile) => profile == MembershipProfile.Fast ? FastTimings : DefaultTimings;

    /// <summary>
    /// LAN defaults: <see cref="MembershipOptions.Default"/> is the one home of membership timings and their reasons.
    /// suspicion_max is suspicion_min times the membership's maximum multiplier (memberlist's SuspicionMaxTimeoutMult).
    /// </summary>
    public static readonly MembershipTimings DefaultTimings = From(MembershipOptions.Default);

    /// <summary>The fast-failover profile: <see cref="MembershipOptions.Fast"/>.</summary>
    public static readonly MembershipTimings FastTimings = From(MembershipOptions.Fast);

    private static MembershipTimings From(MembershipOptions options) => new(
        ProbeInterval: options.ProbeInterval,
        ProbeTimeout: options.ProbeTimeout,
        SuspicionMin: options.SuspicionMinimum,
        SuspicionMax: options.SuspicionMinimum * options.SuspicionMaximumMultiplier,
        GossipInterval: options.GossipInterval,
        PushPullInterval: options.PushPullInterval,
        IndirectProbeTimeout: options.IndirectProbeTimeout,
        ReconnectInterval: options.ReconnectInterval);

    /// <summary>Debian's and Red Hat's FRR put vtysh here.</summary>
    public const string Vtysh = "/usr/bin/vtysh";

    /// <summary>5 s: an FRR restart is repaired within seconds, at one vtysh run per interval.</summary>
    public static readonly TimeSpan BgpSyncInterval = TimeSpan.FromSeconds(5);

    /// <summary>BFD on: without it a dead node's route stays until the hold timer expires (seconds).</summary>
    public const bool Bfd = true;

    /// <summary>300 ms, FRR's own default: 900 ms detection at the default multiplier; 50 ms suits a LAN.</summary>
    public static readonly TimeSpan BfdInterval = TimeSpan.FromMilliseconds(300);

    /// <summary>3, FRR's and RFC 5880's usual detect multiplier.</summary>
    public const int BfdMultiplier = 3;

    /// <summary>3 s keepalive, FRR's datacenter profile (BFD detects faster; the hold timer is the fallback).</summary>
    public static readonly TimeSpan BgpKeepalive = TimeSpan.FromSeconds(3);

    /// <summary>9 s hold time, FRR's datacenter profile.</summary>
    public static readonly TimeSpan BgpHold = TimeSpan.FromSeconds(9);

    /// <summary>Active-standby: one node attracts the traffic, as in L2 mode; active-active is opt-in.</summary>
    public const BgpPolicy Policy = BgpPolicy.ActiveStandby;

    /// <summary>The interface a BGP VIP is added to: on <c>lo</c> the kernel accepts its traffic and nobody ARPs for it.</summary>
    public const string BgpInterface = "lo";
}
