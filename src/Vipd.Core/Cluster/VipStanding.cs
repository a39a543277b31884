namespace Vipd.Core.Cluster;

/// <summary>One VIP entry of a member's record.</summary>
/// <param name="Vip">The VIP name.</param>
/// <param name="Eligible">The member is eligible for it (checks pass, interface up).</param>
/// <param name="Priority">Its priority for the VIP.</param>
/// <param name="Holding">The member claims to hold it now.</param>
public sealed record VipStanding(string Vip, bool Eligible, int Priority, bool Holding);
