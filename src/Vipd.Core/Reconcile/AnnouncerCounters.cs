namespace Vipd.Core.Reconcile;

/// <summary>Monotonic counters of the announcer, for metrics.</summary>
/// <param name="Announcements">Announcement rounds sent.</param>
/// <param name="Reconciles">Full reconciles run (desired against the kernel's addresses).</param>
/// <param name="AddressesAdded">Addresses added.</param>
/// <param name="AddressesRemoved">Addresses removed.</param>
/// <param name="Repairs">Addresses put back after a removal by hand or failed DAD.</param>
/// <param name="Conflicts">Conflicting claims seen for held VIPs.</param>
/// <param name="ConflictsSuppressed">Conflicts not answered because the VIP was re-announced for a conflict moments ago.</param>
/// <param name="Errors">Failed actions (kernel errors, failed announcements, exceptions in callbacks).</param>
/// <param name="Queued">Announcements waiting now for their interface's packet budget (a gauge).</param>
/// <param name="Deferred">Announcements that had to wait for their interface's packet budget.</param>
public readonly record struct AnnouncerCounters(
    long Announcements,
    long Reconciles,
    long AddressesAdded,
    long AddressesRemoved,
    long Repairs,
    long Conflicts,
    long ConflictsSuppressed,
    long Errors,
    long Queued = 0,
    long Deferred = 0);
