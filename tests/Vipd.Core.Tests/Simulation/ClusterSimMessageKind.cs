namespace Vipd.Core.Tests.Simulation;

/// <summary>The datagram kinds of the gossip model.</summary>
internal enum ClusterSimMessageKind
{
    /// <summary>The sender's own state, also sent at once after a metadata change.</summary>
    Heartbeat,

    /// <summary>Full state; the receiver merges it and answers with its own.</summary>
    Push,

    /// <summary>The answer to a push.</summary>
    Pull,

    /// <summary>The sender leaves on purpose.</summary>
    Leave,
}
