namespace Vipd.Core.Reconcile;

public sealed partial class Announcer
{
    /// <summary>
    /// Sends the first announcement now (or queues it for the interface's packet budget) and schedules the rest of
    /// the policy. False when it cannot announce.
    /// </summary>
    private bool StartBurstLocked(AnnouncedVip vip, List<AnnouncerEvent> events)
    {
        if (_disposed || !vip.Bound || vip.Link is null || !vip.LinkUp || vip.Vip.Policy.IsSilent)
        {
            StopBurstLocked(vip);
            return false;
        }

        vip.Step = 0;
        SendOrQueueLocked(vip, events);
        return true;
    }

    private static void StopBurstLocked(AnnouncedVip vip)
    {
        vip.Queue?.Remove(vip);
        vip.Epoch++;
        vip.Timer?.Dispose();
        vip.Timer = null;
    }

    private void ScheduleNextLocked(AnnouncedVip vip)
    {
        StopBurstLocked(vip);
        var delay = AnnouncementSchedule.DelayAfter(vip.Vip.Policy, vip.Step);
        if (delay is null)
        {
            return;
        }

        var epoch = vip.Epoch;
        vip.Timer = _time.CreateTimer(_ => OnAnnounceTimer(vip, epoch), null, delay.Value, Timeout.InfiniteTimeSpan);
    }

    private void AnnounceLocked(AnnouncedVip vip, List<AnnouncerEvent> events)
    {
        try
        {
            _neighbors.Announce(vip.Link!, vip.Binding.Address);
            _announcements++;
            _logger.Announced(vip.Vip.Name, vip.Binding.Address, vip.Binding.Interface, vip.Step);
        }
        catch (Exception ex)
        {
            // The schedule goes on: the next announcement is the retry.
            _errors++;
            _logger.VipError(vip.Vip.Name, $"announcing on {vip.Binding.Interface}: {ex.Message}", ex);
            events.Add(new AnnouncerEvent(AnnouncerEventKind.Error, vip.Vip.Name, vip.Binding, $"announcing on {vip.Binding.Interface}: {ex.Message}"));
        }
    }

    private void OnAnnounceTimer(AnnouncedVip vip, long epoch)
    {
        var events = new List<AnnouncerEvent>();
        try
        {
            lock (_lock)
            {
                if (_disposed || vip.Epoch != epoch || !_vips.TryGetValue(vip.Vip.Name, out var current) || current != vip)
                {
                    return;
                }

                vip.Step = AnnouncementSchedule.Next(vip.Vip.Policy, vip.Step);
                if (!vip.Bound || !vip.LinkUp)
                {
                    StopBurstLocked(vip);
                    return;
                }

                SendOrQueueLocked(vip, events);
            }
        }
        catch (Exception ex)
        {
            CallbackFailed("announcement timer", ex, events);
        }

        Finish(events);
    }
}
