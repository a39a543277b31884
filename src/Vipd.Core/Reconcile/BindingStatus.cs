namespace Vipd.Core.Reconcile;

/// <summary>What the reconcile plan does for one desired <see cref="VipBinding"/>.</summary>
internal enum BindingStatus
{
    /// <summary>vipd's address is on the interface already: nothing to do.</summary>
    Present = 1,

    /// <summary>An operator's address with the VIP's address is on the interface: held, never removed.</summary>
    HeldByOperator = 2,

    /// <summary>Missing: the plan adds it (also to an interface that is down; it is announced once the link is up).</summary>
    Add = 3,

    /// <summary>vipd's IPv6 address failed duplicate address detection: the plan removes and re-adds it.</summary>
    Readd = 4,

    /// <summary>No interface of that name: nothing can be done until it appears.</summary>
    NoInterface = 5,
}
