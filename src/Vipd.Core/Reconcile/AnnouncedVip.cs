namespace Vipd.Core.Reconcile;

/// <summary>The announcer's state for one owned VIP. Touched only under the announcer's lock.</summary>
internal sealed class AnnouncedVip(OwnedVip vip)
{
    public OwnedVip Vip { get; set; } = vip;

    public VipBinding Binding => Vip.Binding;

    /// <summary>The link the VIP is bound to, as last seen; null when its interface does not exist.</summary>
    public LinkInfo? Link { get; set; }

    /// <summary>The address is on the interface (vipd's or an operator's).</summary>
    public bool Bound { get; set; }

    /// <summary>The address on the interface is an operator's: never removed.</summary>
    public bool ByOperator { get; set; }

    /// <summary>The link was up when last seen.</summary>
    public bool LinkUp { get; set; }

    /// <summary>The announcement last sent (0 = first of the first burst).</summary>
    public int Step { get; set; }

    public ITimer? Timer { get; set; }

    /// <summary>The interface queue the VIP's next announcement waits in for the packet budget; null when not waiting.</summary>
    public AnnouncementQueue? Queue { get; set; }

    /// <summary>The step it waits with (its place in the queue).</summary>
    public int QueuedStep { get; set; }

    /// <summary>When it joined the queue, among all of its interface's entries: ties of one step leave in this order.</summary>
    public long QueuedSequence { get; set; }

    /// <summary>Bumped whenever the timer is replaced, so a callback of an old timer does nothing.</summary>
    public long Epoch { get; set; }

    /// <summary>When the last conflict-driven burst started (a <see cref="TimeProvider"/> timestamp); null for never.</summary>
    public long? LastConflictBurst { get; set; }

    /// <summary>The last error reported as an event, so one lasting problem is reported once.</summary>
    public string? ReportedError { get; set; }

    /// <summary>Removal notifications to ignore because vipd itself removed the address to re-add it.</summary>
    public int ExpectedRemovals { get; set; }
}
