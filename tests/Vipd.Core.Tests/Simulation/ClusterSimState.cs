using Vipd.Core.Membership;

namespace Vipd.Core.Tests.Simulation;

/// <summary>What one node knows about a member, as carried in gossip.</summary>
/// <param name="Name">The member.</param>
/// <param name="State">Its state in the sender's view.</param>
/// <param name="Incarnation">Its incarnation in the sender's view.</param>
/// <param name="Metadata">Its record in the sender's view.</param>
/// <param name="HeardAt">When the sender last heard the member directly: second-hand news keeps its age, so a node
/// that nobody can reach is dead everywhere one detection window after anyone last heard it.</param>
internal sealed record ClusterSimState(string Name, MemberState State, uint Incarnation, byte[] Metadata, TimeSpan HeardAt);
