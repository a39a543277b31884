namespace Vipd.Core.Reconcile;

/// <summary>
/// The announcements of one interface waiting for its <see cref="PacketBudget"/>, lowest step first (every VIP's first
/// announcement before any repeat, every second before any third), in the order they became due within a step.
/// Touched only under the announcer's lock.
/// </summary>
internal sealed class AnnouncementQueue(string interfaceName, AnnouncementPacing pacing, TimeSpan now)
{
    private static readonly Comparer<AnnouncedVip> Order = Comparer<AnnouncedVip>.Create(static (a, b) =>
    {
        var byStep = a.QueuedStep.CompareTo(b.QueuedStep);
        return byStep != 0 ? byStep : a.QueuedSequence.CompareTo(b.QueuedSequence);
    });

    private readonly SortedSet<AnnouncedVip> _waiting = new(Order);
    private long _sequence;

    public string Interface { get; } = interfaceName;

    public PacketBudget Budget { get; } = new(pacing, now);

    /// <summary>The pump timer while one is set; it fires when the head of the queue fits the budget.</summary>
    public ITimer? Timer { get; set; }

    /// <summary>Bumped whenever the timer is replaced, so a callback of an old timer does nothing.</summary>
    public long Epoch { get; set; }

    public int Count => _waiting.Count;

    public AnnouncedVip? Head => _waiting.Count == 0 ? null : _waiting.Min;

    /// <summary>Queues <paramref name="vip"/>'s announcement <see cref="AnnouncedVip.Step"/>, behind all of the same step.</summary>
    public void Enqueue(AnnouncedVip vip)
    {
        vip.QueuedStep = vip.Step;
        vip.QueuedSequence = _sequence++;
        vip.Queue = this;
        _waiting.Add(vip);
    }

    /// <summary>Takes <paramref name="vip"/> out of the queue (sent, released, or its burst restarted).</summary>
    public void Remove(AnnouncedVip vip)
    {
        _waiting.Remove(vip);
        vip.Queue = null;
    }
}
