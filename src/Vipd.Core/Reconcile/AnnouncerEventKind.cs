namespace Vipd.Core.Reconcile;

/// <summary>The kind of an <see cref="AnnouncerEvent"/>.</summary>
public enum AnnouncerEventKind
{
    /// <summary>The VIP is bound to its interface (added, or found there) and announced.</summary>
    Acquired = 1,

    /// <summary>The VIP is no longer owned: removed from its interface (unless an operator's) and no longer announced.</summary>
    Released = 2,

    /// <summary>The VIP's address was removed behind vipd's back or failed DAD; it was put back and re-announced.</summary>
    Repaired = 3,

    /// <summary>Another host claimed the VIP; vipd re-announced it.</summary>
    Conflict = 4,

    /// <summary>An action failed; it is retried with backoff.</summary>
    Error = 5,
}
