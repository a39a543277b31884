namespace Vipd.Core.Tests.Simulation;

/// <summary>A datagram of the gossip model.</summary>
/// <param name="Kind">What it carries.</param>
/// <param name="From">The sender.</param>
/// <param name="To">The receiver.</param>
/// <param name="States">Heartbeat and leave: the sender's own state; push/pull: every state the sender knows.</param>
internal sealed record ClusterSimMessage(ClusterSimMessageKind Kind, string From, string To, IReadOnlyList<ClusterSimState> States);
