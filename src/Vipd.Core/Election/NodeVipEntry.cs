namespace Vipd.Core.Election;

/// <summary>What a node says about itself for one VIP.</summary>
/// <param name="VipId">The VIP's compact id, <see cref="StableHash.VipId"/> of its name.</param>
/// <param name="Eligible">Its own checks pass and its interface is up for this VIP (the "ready" bit).</param>
/// <param name="Priority">Its priority for this VIP: higher wins.</param>
/// <param name="Holding">It has the address bound and announced right now (a claim).</param>
public readonly record struct NodeVipEntry(uint VipId, bool Eligible, byte Priority, bool Holding);
