namespace Vipd.Core.Cluster;

/// <summary>This node's own standing for one VIP.</summary>
/// <param name="Eligible">Every check bound to the VIP passes and its interface is up (and, with the Kubernetes plugin, a local endpoint is ready).</param>
/// <param name="Priority">Its priority for the VIP, 0..255 (values outside are clamped); higher wins.</param>
public readonly record struct LocalVipState(bool Eligible, int Priority);
