using System.Net;

namespace Vipd.Core.Config;

/// <summary><c>[cluster]</c>: peers, the cluster key, quorum and the membership (SWIM/Lifeguard) timings.</summary>
public sealed record ClusterConfig
{
    /// <summary>The other nodes to join through (a port omitted in the file is this node's gossip port).</summary>
    public required EquatableArray<IPEndPoint> Peers { get; init; }

    /// <summary>Absolute path of the cluster key file (relative paths in the file are resolved against its folder).</summary>
    public required string KeyFile { get; init; }

    /// <summary>Hold VIPs only while a majority of <see cref="ExpectedNodes"/> is seen.</summary>
    public required bool Quorum { get; init; }

    /// <summary>How many nodes the cluster has, this one included: the base of the quorum majority.</summary>
    public required int ExpectedNodes { get; init; }

    /// <summary>The names of every node (this one included), when the file lists them; empty otherwise.</summary>
    public required EquatableArray<string> NodeNames { get; init; }

    /// <summary>The profile the timings below started from.</summary>
    public required MembershipProfile Profile { get; init; }

    /// <summary>How often this node probes one random peer.</summary>
    public required TimeSpan ProbeInterval { get; init; }

    /// <summary>How long a direct probe waits for its ack before asking others to probe indirectly.</summary>
    public required TimeSpan ProbeTimeout { get; init; }

    /// <summary>How many peers are asked to probe indirectly (0 disables indirect probes).</summary>
    public required int IndirectChecks { get; init; }

    /// <summary>Suspicion timeout once enough independent confirmations arrived (Lifeguard's lower bound; membership scales it by log10 n above 10 nodes).</summary>
    public required TimeSpan SuspicionMin { get; init; }

    /// <summary>Suspicion timeout with no confirmations (Lifeguard's upper bound; membership takes it as the multiplier max / min).</summary>
    public required TimeSpan SuspicionMax { get; init; }

    /// <summary>How often queued changes are piggybacked to random peers.</summary>
    public required TimeSpan GossipInterval { get; init; }

    /// <summary>How many peers each gossip round sends to.</summary>
    public required int GossipFanout { get; init; }

    /// <summary>How often a full state exchange (anti-entropy) runs with one random peer.</summary>
    public required TimeSpan PushPullInterval { get; init; }

    /// <summary>How long an indirect probe (through other members) waits before the target is suspected.</summary>
    public required TimeSpan IndirectProbeTimeout { get; init; }

    /// <summary>How often a member that looks dead, or a seed that is not live, is contacted to merge a healed partition.</summary>
    public required TimeSpan ReconnectInterval { get; init; }
}
