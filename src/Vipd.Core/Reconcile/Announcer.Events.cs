namespace Vipd.Core.Reconcile;

public sealed partial class Announcer
{
    private void RaiseLocked(List<AnnouncerEvent> events, AnnouncerEventKind kind, AnnouncedVip vip, string? message)
    {
        var address = vip.Binding.Address;
        if (kind == AnnouncerEventKind.Acquired)
        {
            _logger.VipAcquired(vip.Vip.Name, address, vip.Binding.Interface);
        }
        else if (kind == AnnouncerEventKind.Released)
        {
            _logger.VipReleased(vip.Vip.Name, address, vip.Binding.Interface);
        }

        events.Add(new AnnouncerEvent(kind, vip.Vip.Name, vip.Binding, message));
    }

    /// <summary>Counts and logs an error concerning no single VIP, and raises it.</summary>
    private void ErrorLocked(List<AnnouncerEvent> events, AnnouncedVip? vip, string message, Exception? ex)
    {
        _errors++;
        if (vip is null)
        {
            _logger.AnnouncerError(message, ex);
            events.Add(new AnnouncerEvent(AnnouncerEventKind.Error, null, null, message));
        }
        else
        {
            _logger.VipError(vip.Vip.Name, message, ex);
            events.Add(new AnnouncerEvent(AnnouncerEventKind.Error, vip.Vip.Name, vip.Binding, message));
        }
    }

    /// <summary>Counts every failure of a VIP but raises (and logs at Error) a lasting one only once.</summary>
    private void VipErrorLocked(AnnouncedVip vip, List<AnnouncerEvent> events, string message, Exception? ex)
    {
        if (vip.ReportedError == message)
        {
            _errors++;
            return;
        }

        vip.ReportedError = message;
        ErrorLocked(events, vip, message, ex);
    }

    /// <summary>Tells the conflict monitor what is held, then raises the events outside the lock.</summary>
    private void Finish(List<AnnouncerEvent> events)
    {
        UpdateWatch();
        if (events.Count == 0)
        {
            return;
        }

        var handlers = Changed;
        if (handlers is null)
        {
            return;
        }

        foreach (var e in events)
        {
            foreach (var handler in handlers.GetInvocationList())
            {
                try
                {
                    ((Action<AnnouncerEvent>)handler)(e);
                }
                catch (Exception ex)
                {
                    lock (_lock)
                    {
                        _errors++;
                    }

                    _logger.AnnouncerError($"event handler failed: {ex.Message}", ex);
                }
            }
        }
    }

    /// <summary>
    /// Tells the conflict monitor what is held when that changed. Under the lock, so the newest set is always the last
    /// one given: <see cref="IConflictMonitor.Watch"/> only swaps its set and never calls back.
    /// </summary>
    private void UpdateWatch()
    {
        if (_conflictMonitor is null)
        {
            return;
        }

        lock (_lock)
        {
            if (_watchVersion == _watchApplied || _disposed)
            {
                return;
            }

            var held = new List<HeldAddress>(_vips.Count);
            foreach (var vip in _vips.Values)
            {
                if (vip.Bound && vip.Link is not null)
                {
                    held.Add(new HeldAddress(vip.Link, vip.Binding.Address));
                }
            }

            try
            {
                _conflictMonitor.Watch(held);
                _watchApplied = _watchVersion;
            }
            catch (Exception ex)
            {
                _errors++;
                _logger.AnnouncerError($"updating the conflict monitor: {ex.Message}", ex);
            }
        }
    }
}
