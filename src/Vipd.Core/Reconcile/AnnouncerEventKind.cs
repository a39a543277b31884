namespace Vipd.Core.Reconcile;

/// <summary>The kind of an <see cref="AnnouncerEvent"/>.</summary>
public enum AnnouncerEventKind
{
    /// <summary>The VIP is bound to its interface (added, or found there) and announced.</summary>
    Acquired = 1,

    /// <summary>
    /// The VIP is no longer held: no longer owned (removed from its interface unless it is an operator's), or still
    /// owned but lost (its interface went away, its address could not be put back; the message says why, and an
    /// <see cref="Error"/> follows). It is no longer announced; a lost VIP comes back with <see cref="Acquired"/>.
    /// </summary>
    Released = 2,

    /// <summary>The VIP's address was removed behind vipd's back or failed DAD; it was put back and re-announced.</summary>
    Repaired = 3,

    /// <summary>Another host claimed the VIP; vipd re-announced it.</summary>
    Conflict = 4,

    /// <summary>An action failed; it is retried with backoff.</summary>
    Error = 5,
}
