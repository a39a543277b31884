namespace Vipd.Core.Election;

/// <summary>What a node says about itself for one VIP.</summary>
/// <param name="Key">The VIP's key, <see cref="VipKey.Of"/> of its name (in a format 1 record from a 0.1 node: its
/// 32-bit <see cref="StableHash.VipId"/>, see <see cref="NodeRecord.Legacy"/>).</param>
/// <param name="Eligible">Its own checks pass and its interface is up for this VIP (the "ready" bit).</param>
/// <param name="Priority">Its priority for this VIP: higher wins.</param>
/// <param name="Holding">It has the address bound and announced right now (a claim).</param>
/// <param name="Epoch">With <paramref name="Holding"/>: the claim's takeover epoch, one more than every epoch the node
/// had seen for the VIP when it took it (0 in a format 1 record). Several holders resolve to the highest epoch (the
/// latest takeover), see <see cref="VipElection"/>.</param>
public readonly record struct NodeVipEntry(ulong Key, bool Eligible, byte Priority, bool Holding, uint Epoch = 0);
