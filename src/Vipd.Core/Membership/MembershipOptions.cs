namespace Vipd.Core.Membership;

/// <summary>
/// Every timing of the SWIM membership, each default with its reason. <see cref="Default"/> is tuned for a LAN
/// (a crash is marked dead by every survivor in ~200 ms median, 314 ms at most, at 3 nodes in the simulation; idle
/// traffic ~1.9 KB/s per node on the wire); <see cref="Fast"/> trades 10x the probe traffic (~19 KB/s per node) for
/// ~27 ms median detection.
/// </summary>
public sealed record MembershipOptions
{
    /// <summary>The LAN profile.</summary>
    public static MembershipOptions Default { get; } = new();

    /// <summary>
    /// Fast failover: probe every 10 ms and declare dead 12 ms after suspicion. Costs ~19 KB/s per node idle and
    /// tolerates less scheduling jitter (a 15 ms GC pause may cause a refuted suspicion, rarely a false death).
    /// </summary>
    public static MembershipOptions Fast { get; } = new()
    {
        ProbeInterval = TimeSpan.FromMilliseconds(10),
        ProbeTimeout = TimeSpan.FromMilliseconds(3),
        IndirectProbeTimeout = TimeSpan.FromMilliseconds(5),
        SuspicionMinimum = TimeSpan.FromMilliseconds(12),
        GossipInterval = TimeSpan.FromMilliseconds(3),
        PushPullInterval = TimeSpan.FromSeconds(10),
    };

    /// <summary>
    /// Default 100 ms: 10 probes/s cost 20 frames and ~1.9 KB/s per node on the wire (3 nodes, format 2; issue 13's
    /// target is 2,048 B/s); each member is probed by every other exactly once every n - 1 intervals, so a crashed peer
    /// of 3 is probed by each survivor within 200 ms.
    /// </summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Default 10 ms: a LAN round trip is far below 1 ms; the slack absorbs scheduling hiccups, and a missed ack only
    /// starts the indirect phase (with a direct retry), never a suspicion on its own. Lifeguard scales it up while
    /// this node looks unhealthy.
    /// </summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Default 20 ms: relays need two more LAN hops plus their own <see cref="ProbeTimeout"/> to nack; a probe fails 30 ms after it began.</summary>
    public TimeSpan IndirectProbeTimeout { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Default 3 (memberlist): three independent paths make a lost packet unlikely to look like a crash.</summary>
    public int IndirectChecks { get; init; } = 3;

    /// <summary>
    /// Default 100 ms: the suspicion timeout with no confirmations expected, up to 10 nodes (times log10 n above):
    /// long enough for the suspect's refutation to arrive over several retries at 10 % loss (every suspector re-tells
    /// the suspect each <see cref="GossipInterval"/>); at least <see cref="ProbeInterval"/> (the config requires it).
    /// </summary>
    public TimeSpan SuspicionMinimum { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Default 6 (memberlist): with confirmations expected the timer starts at 6x the minimum and shrinks as they arrive.</summary>
    public int SuspicionMaximumMultiplier { get; init; } = 6;

    /// <summary>Default 2 (memberlist's SuspicionMult - 2): independent suspectors that shrink the timer to the minimum; 0 below k + 2 nodes.</summary>
    public int SuspicionConfirmations { get; init; } = 2;

    /// <summary>Default 3 (memberlist): spreads a change to everyone in O(log n) gossip rounds.</summary>
    public int GossipFanout { get; init; } = 3;

    /// <summary>Default 20 ms: sends nothing when idle; when busy, a change reaches a 3-node cluster in one interval.</summary>
    public TimeSpan GossipInterval { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Default 30 s (memberlist): full-state anti-entropy with one random peer, a backstop behind gossip. Above
    /// <see cref="PushPullScaleThreshold"/> members it grows linearly so push/pull bytes per node stay flat.
    /// </summary>
    public TimeSpan PushPullInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Default 32 (memberlist): cluster size above which the push/pull interval scales up.</summary>
    public int PushPullScaleThreshold { get; init; } = 32;

    /// <summary>Default 4 (memberlist): each change is sent 4 x ceil(log10(n + 1)) times, enough at 10 % loss.</summary>
    public int RetransmitMultiplier { get; init; } = 4;

    /// <summary>
    /// Default 1 s: while a member is dead (or a seed is not live), one push/pull a second with one of them, so a
    /// healed partition merges within about a second (instead of at the next 30 s push/pull) for one datagram a second.
    /// </summary>
    public TimeSpan ReconnectInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Default 30 s (memberlist's GossipToTheDeadTime): a dead or left member is forgotten after this.</summary>
    public TimeSpan DeadReclaimTime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Default 8 (memberlist): Lifeguard scales probe timeouts up to 8x while this node itself looks unhealthy.</summary>
    public int AwarenessMaxMultiplier { get; init; } = 8;

    /// <summary>Default 200 ms: first retry of an unanswered join; doubles per attempt.</summary>
    public TimeSpan JoinRetryMinimum { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Default 5 s: bound of the join retry backoff, so a node rejoins soon after its seeds come back.</summary>
    public TimeSpan JoinRetryMaximum { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Default 1400: fits a 1500-byte Ethernet MTU with IPv6 and UDP headers; never fragments.</summary>
    public int MaxDatagramSize { get; init; } = 1400;

    /// <summary>Default 4096: replay windows kept for this many senders (authenticated name and boot), least recent evicted.</summary>
    public int MaxTrackedSenders { get; init; } = 4096;

    /// <summary>
    /// Default 2048: members this node keeps (itself and dead ones included). A new member beyond it is ignored, logged
    /// (at most once a minute) and counted (<see cref="Wire.DropReason.MemberTableFull"/>): the table, the probe list and
    /// a push/pull answer stay bounded whatever a key holder gossips.
    /// </summary>
    public int MaxMembers { get; init; } = 2048;

    /// <summary>
    /// Default 2^24 (about 194 days of seconds): an incarnation above this node's clock in Unix seconds plus this lead
    /// is refused and counted (<see cref="Wire.DropReason.IncarnationOutOfRange"/>). Incarnations start at the boot time
    /// in Unix seconds and grow by one per refutation or metadata change, so an honest one stays far below; a hostile key
    /// holder cannot push a member's incarnation (or this node's, through a refutation) to the 32-bit limit, where it would
    /// wrap or could no longer be refuted.
    /// </summary>
    public uint MaxIncarnationLead { get; init; } = 1u << 24;

    /// <summary>Throws <see cref="ArgumentException"/> when a value is out of range.</summary>
    public void Validate()
    {
        Require(ProbeInterval > TimeSpan.Zero, nameof(ProbeInterval), "must be positive");
        Require(ProbeTimeout > TimeSpan.Zero, nameof(ProbeTimeout), "must be positive");
        Require(IndirectProbeTimeout > TimeSpan.Zero, nameof(IndirectProbeTimeout), "must be positive");
        Require(IndirectChecks >= 0, nameof(IndirectChecks), "must not be negative");
        Require(SuspicionMinimum > TimeSpan.Zero, nameof(SuspicionMinimum), "must be positive");
        Require(SuspicionMaximumMultiplier >= 1, nameof(SuspicionMaximumMultiplier), "must be at least 1");
        Require(SuspicionConfirmations >= 0, nameof(SuspicionConfirmations), "must not be negative");
        Require(GossipFanout >= 1, nameof(GossipFanout), "must be at least 1");
        Require(GossipInterval > TimeSpan.Zero, nameof(GossipInterval), "must be positive");
        Require(PushPullInterval > TimeSpan.Zero, nameof(PushPullInterval), "must be positive");
        Require(PushPullScaleThreshold >= 1, nameof(PushPullScaleThreshold), "must be at least 1");
        Require(RetransmitMultiplier >= 1, nameof(RetransmitMultiplier), "must be at least 1");
        Require(ReconnectInterval > TimeSpan.Zero, nameof(ReconnectInterval), "must be positive");
        Require(DeadReclaimTime >= TimeSpan.Zero, nameof(DeadReclaimTime), "must not be negative");
        Require(AwarenessMaxMultiplier >= 1, nameof(AwarenessMaxMultiplier), "must be at least 1");
        Require(JoinRetryMinimum > TimeSpan.Zero, nameof(JoinRetryMinimum), "must be positive");
        Require(JoinRetryMaximum >= JoinRetryMinimum, nameof(JoinRetryMaximum), "must be at least JoinRetryMinimum");
        Require(MaxDatagramSize is >= 576 and <= Wire.WireFormat.MaxDatagramSize, nameof(MaxDatagramSize), "must be 576..1400");
        Require(MaxTrackedSenders >= 1, nameof(MaxTrackedSenders), "must be at least 1");
        Require(MaxMembers >= 2, nameof(MaxMembers), "must be at least 2");
        Require(MaxIncarnationLead >= 1, nameof(MaxIncarnationLead), "must be at least 1");
    }

    private static void Require(bool condition, string name, string message)
    {
        if (!condition)
        {
            throw new ArgumentException($"{name} {message}.", name);
        }
    }
}
