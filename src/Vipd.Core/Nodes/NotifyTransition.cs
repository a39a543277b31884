using Vipd.Core.Config;

namespace Vipd.Core.Nodes;

/// <summary>This node's state for a VIP changed (keepalived's MASTER/BACKUP/FAULT/STOP): the host runs the VIP's notify script.</summary>
/// <param name="Vip">The VIP.</param>
/// <param name="State">The new state.</param>
/// <param name="Previous">The state before (<see cref="Node.InitState"/> at first).</param>
/// <param name="Reason">Why, for the script's environment and the log.</param>
public sealed record NotifyTransition(VipConfig Vip, string State, string Previous, string Reason);
