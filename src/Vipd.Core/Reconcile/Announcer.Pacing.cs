namespace Vipd.Core.Reconcile;

public sealed partial class Announcer
{
    /// <summary>Sends the VIP's due announcement now if its interface's budget allows, else queues it.</summary>
    private void SendOrQueueLocked(AnnouncedVip vip, List<AnnouncerEvent> events)
    {
        StopBurstLocked(vip);
        if (!_queues.TryGetValue(vip.Binding.Interface, out var queue))
        {
            // Every owned VIP's interface has a queue (IndexLocked); this is only a guard.
            AnnounceLocked(vip, events);
            ScheduleNextLocked(vip);
            return;
        }

        if (queue.Count == 0)
        {
            if (queue.Budget.TryTake(Elapsed, AnnouncementPacing.PacketsPerRound(vip.Binding.Address)))
            {
                AnnounceLocked(vip, events);
                ScheduleNextLocked(vip);
                return;
            }

            queue.Enqueue(vip);
            _deferred++;
            SchedulePumpLocked(queue);
            return;
        }

        // The queue has a pump timer set for its head; only a new head (a lower step) needs a fresh look.
        queue.Enqueue(vip);
        if (queue.Head == vip)
        {
            PumpLocked(queue, events);
        }

        if (vip.Queue is not null)
        {
            _deferred++;
        }
    }

    /// <summary>Sends queued announcements, head first, while the budget allows; sets the timer for the rest.</summary>
    private void PumpLocked(AnnouncementQueue queue, List<AnnouncerEvent> events)
    {
        while (queue.Head is { } head)
        {
            if (!head.Bound || !head.LinkUp || head.Link is null)
            {
                queue.Remove(head);
                continue;
            }

            // Read the clock for each send: the budget then counts from when the packets really left.
            if (!queue.Budget.TryTake(Elapsed, AnnouncementPacing.PacketsPerRound(head.Binding.Address)))
            {
                break;
            }

            queue.Remove(head);
            AnnounceLocked(head, events);
            ScheduleNextLocked(head);
        }

        SchedulePumpLocked(queue);
    }

    private void SchedulePumpLocked(AnnouncementQueue queue)
    {
        queue.Epoch++;
        queue.Timer?.Dispose();
        queue.Timer = null;
        if (_disposed || queue.Head is not { } head)
        {
            return;
        }

        var wait = queue.Budget.WaitFor(Elapsed, AnnouncementPacing.PacketsPerRound(head.Binding.Address));
        if (wait <= TimeSpan.Zero)
        {
            wait = TimeSpan.FromTicks(1);
        }

        var epoch = queue.Epoch;
        queue.Timer = _time.CreateTimer(_ => OnPumpTimer(queue, epoch), null, wait, Timeout.InfiniteTimeSpan);
    }

    private void OnPumpTimer(AnnouncementQueue queue, long epoch)
    {
        var events = new List<AnnouncerEvent>();
        try
        {
            lock (_lock)
            {
                if (_disposed || queue.Epoch != epoch || !_queues.TryGetValue(queue.Interface, out var current) || current != queue)
                {
                    return;
                }

                PumpLocked(queue, events);
            }
        }
        catch (Exception ex)
        {
            CallbackFailed("announcement pacing timer", ex, events);
        }

        Finish(events);
    }

    /// <summary>Sends what a looser budget now allows (after the set of VIPs changed).</summary>
    private void PumpAllLocked(List<AnnouncerEvent> events)
    {
        foreach (var queue in _queues.Values)
        {
            if (queue.Count > 0)
            {
                PumpLocked(queue, events);
            }
        }
    }

    /// <summary>
    /// One queue per interface with owned VIPs, its budget the strictest its VIPs ask for. A queue whose interface has
    /// no VIP left goes (its VIPs were released, which took them out of it).
    /// </summary>
    private void IndexQueuesLocked()
    {
        var pacing = new Dictionary<string, AnnouncementPacing>(StringComparer.Ordinal);
        foreach (var vip in _vips.Values)
        {
            var asked = vip.Vip.Policy.Pacing;
            pacing[vip.Binding.Interface] = pacing.TryGetValue(vip.Binding.Interface, out var other)
                ? AnnouncementPacing.Strictest(other, asked)
                : asked;
        }

        var now = Elapsed;
        foreach (var (name, queue) in _queues.ToList())
        {
            if (!pacing.ContainsKey(name))
            {
                while (queue.Head is { } left)
                {
                    queue.Remove(left);
                }

                queue.Epoch++;
                queue.Timer?.Dispose();
                queue.Timer = null;
                _queues.Remove(name);
            }
        }

        foreach (var (name, budget) in pacing)
        {
            if (_queues.TryGetValue(name, out var queue))
            {
                queue.Budget.Update(budget, now);
            }
            else
            {
                _queues[name] = new AnnouncementQueue(name, budget, now);
            }
        }
    }

    private int QueuedLocked()
    {
        var queued = 0;
        foreach (var queue in _queues.Values)
        {
            queued += queue.Count;
        }

        return queued;
    }

    /// <summary>Time since the announcer was made, on <see cref="_time"/>: the clock of the packet budgets.</summary>
    private TimeSpan Elapsed => _time.GetElapsedTime(_origin);
}
