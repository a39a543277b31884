namespace Vipd.Core.Reconcile;

/// <summary>A VIP this node owns now and must hold and announce.</summary>
/// <param name="Name">The VIP's name from the config; unique.</param>
/// <param name="Binding">Address, prefix length and interface.</param>
/// <param name="Policy">How to announce it.</param>
public sealed record OwnedVip(string Name, VipBinding Binding, AnnouncementPolicy Policy);
