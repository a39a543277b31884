namespace Vipd.Core.Tests.Simulation;

/// <summary>
/// Timings of the deterministic gossip model used by the cluster simulation (a stand-in for SWIM: heartbeats to all
/// peers, a silence timeout to suspect then declare dead, periodic push/pull of full state, explicit leave).
/// </summary>
internal sealed record ClusterSimOptions
{
    /// <summary>Each node sends its own state to every peer this often (LAN probe interval).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Silence after which a peer becomes suspect (still live for elections).</summary>
    public TimeSpan SuspectAfter { get; init; } = TimeSpan.FromMilliseconds(1500);

    /// <summary>Silence after which a peer is dead: the detection window.</summary>
    public TimeSpan DeadAfter { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Full-state exchange with one random reachable peer this often (anti-entropy).</summary>
    public TimeSpan PushPullInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Granularity of the failure detector's checks.</summary>
    public TimeSpan Tick { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>One-way delay: uniform in [MinDelay, MaxDelay] (so packets reorder).</summary>
    public TimeSpan MinDelay { get; init; } = TimeSpan.FromMilliseconds(0.2);

    /// <summary>See <see cref="MinDelay"/>.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Probability that a datagram is dropped.</summary>
    public double LossRate { get; set; }

    /// <summary>Probability that a datagram is delivered twice.</summary>
    public double DuplicateRate { get; set; }
}
