using System.Net;

namespace Vipd.Core.Reconcile;

public sealed partial class Announcer
{
    /// <summary>Compares desired with the kernel's addresses, applies the difference and starts bursts as needed.</summary>
    private void ReconcileLocked(List<AnnouncerEvent> events)
    {
        _reconciles++;
        IReadOnlyList<LinkInfo> links;
        IReadOnlyList<InterfaceAddress> actual;
        try
        {
            links = _addresses.ListLinks();
            actual = _addresses.ListAddresses();
        }
        catch (Exception ex)
        {
            ErrorLocked(events, null, $"listing links and addresses: {ex.Message}", ex);
            ScheduleRetryLocked();
            return;
        }

        var desired = new List<VipBinding>(_vips.Count);
        foreach (var vip in _vips.Values)
        {
            desired.Add(vip.Binding);
        }

        var plan = ReconcilePlanner.Plan(desired, actual, links);
        var failedAdds = new Dictionary<(int Index, IPAddress Address), string>();
        var readdsRemoved = new HashSet<(int Index, IPAddress Address)>();
        var failed = false;
        if (plan.Changes.Count > 0)
        {
            IReadOnlyList<AddressChangeResult> results;
            var applyThrew = false;
            try
            {
                results = _addresses.Apply(plan.Changes);
            }
            catch (Exception ex)
            {
                // One error for the batch; the VIPs whose adds it carried report it once each below.
                ErrorLocked(events, null, $"applying {plan.Changes.Count} address changes: {ex.Message}", ex);
                results = [.. plan.Changes.Select(c => new AddressChangeResult(c, AddressOutcome.Failed, ex.Message))];
                applyThrew = true;
            }

            foreach (var result in results)
            {
                var change = result.Change;
                var key = (change.InterfaceIndex, change.Address);
                if (result.Outcome == AddressOutcome.Failed)
                {
                    failed = true;
                    if (change.Kind == AddressChangeKind.Add)
                    {
                        failedAdds[key] = result.Error ?? "failed";
                    }
                    else if (!applyThrew)
                    {
                        ErrorLocked(events, null, $"removing {change.Address}/{change.PrefixLength} from interface {change.InterfaceIndex}: {result.Error}", null);
                    }
                }
                else if (change.Kind == AddressChangeKind.Add)
                {
                    if (result.Outcome == AddressOutcome.Applied)
                    {
                        _added++;
                    }
                }
                else
                {
                    if (result.Outcome == AddressOutcome.Applied)
                    {
                        _removed++;
                        readdsRemoved.Add(key);
                    }
                }
            }
        }

        foreach (var vip in _vips.Values)
        {
            var bindingPlan = plan.Bindings[vip.Binding];
            if (UpdateVipLocked(vip, bindingPlan, failedAdds, readdsRemoved, events))
            {
                failed = true;
            }
        }

        if (failed)
        {
            ScheduleRetryLocked();
        }
        else
        {
            _retryDelay = RetryInitial;
            _retryTimer?.Dispose();
            _retryTimer = null;
        }

        _watchVersion++;
    }

    /// <summary>Applies the plan's verdict to one VIP: events, bursts. Returns true when the VIP needs a retry.</summary>
    private bool UpdateVipLocked(
        AnnouncedVip vip,
        BindingPlan plan,
        Dictionary<(int Index, IPAddress Address), string> failedAdds,
        HashSet<(int Index, IPAddress Address)> removed,
        List<AnnouncerEvent> events)
    {
        var wasBound = vip.Bound;
        var wasUp = vip.LinkUp;
        var oldIndex = vip.Link?.Index;
        var link = plan.Link;
        vip.Link = link;
        vip.LinkUp = link?.IsUp == true;

        if (plan.Status == BindingStatus.NoInterface)
        {
            LoseLocked(vip, events, $"interface {vip.Binding.Interface} not found");
            vip.ByOperator = false;
            VipErrorLocked(vip, events, $"interface {vip.Binding.Interface} not found", null);
            return true;
        }

        var key = (link!.Index, vip.Binding.Address);
        var repaired = false;
        switch (plan.Status)
        {
            case BindingStatus.Present:
            case BindingStatus.HeldByOperator:
                vip.Bound = true;
                vip.ByOperator = plan.Status == BindingStatus.HeldByOperator;
                break;
            default:
                if (failedAdds.TryGetValue(key, out var error))
                {
                    LoseLocked(vip, events, $"could not be put back: {error}");
                    VipErrorLocked(vip, events, $"adding {vip.Binding.Address}/{vip.Binding.PrefixLength} to {vip.Binding.Interface}: {error}", null);
                    return true;
                }

                if (plan.Status == BindingStatus.Readd && removed.Contains(key))
                {
                    // The kernel reports the removal we made; it is not a removal by hand.
                    vip.ExpectedRemovals++;
                }

                repaired = wasBound || plan.Status == BindingStatus.Readd;
                vip.Bound = true;
                vip.ByOperator = false;
                break;
        }

        vip.ReportedError = null;
        if (!wasBound)
        {
            RaiseLocked(events, AnnouncerEventKind.Acquired, vip, null);
            StartBurstLocked(vip, events);
        }
        else if (repaired)
        {
            var reason = plan.Status == BindingStatus.Readd ? "failed duplicate address detection" : "address was missing";
            RepairedLocked(vip, events, reason);
        }
        else if (vip.LinkUp && (!wasUp || oldIndex != link.Index))
        {
            StartBurstLocked(vip, events);
        }
        else if (!vip.LinkUp)
        {
            StopBurstLocked(vip);
        }

        return false;
    }

    /// <summary>
    /// Stops announcing a VIP that is no longer owned; the next reconcile removes its address. A BGP VIP's traffic is
    /// held first (<see cref="HoldLocked"/>) unless <paramref name="hold"/> is false (clean-up).
    /// </summary>
    private void ReleaseLocked(AnnouncedVip vip, List<AnnouncerEvent> events, bool hold = true)
    {
        StopBurstLocked(vip);
        if (hold)
        {
            HoldLocked(vip, events);
        }

        if (vip.Bound)
        {
            vip.Bound = false;
            RaiseLocked(events, AnnouncerEventKind.Released, vip, vip.ByOperator ? "operator's address left in place" : null);
        }
    }

    /// <summary>
    /// A VIP still owned but no longer held (its interface went away, its address could not be put back): stops
    /// announcing it and raises Released with the reason, so that whoever tracks <see cref="Held"/> learns of it.
    /// </summary>
    private void LoseLocked(AnnouncedVip vip, List<AnnouncerEvent> events, string reason)
    {
        StopBurstLocked(vip);
        if (vip.Bound)
        {
            vip.Bound = false;
            RaiseLocked(events, AnnouncerEventKind.Released, vip, reason);
        }
    }

    /// <summary>Puts back one address the monitor reported removed, and re-announces it.</summary>
    private void RepairLocked(AnnouncedVip vip, List<AnnouncerEvent> events)
    {
        var link = vip.Link!;
        try
        {
            if (_addresses.Add(link.Index, vip.Binding.Address, vip.Binding.PrefixLength))
            {
                _added++;
            }
        }
        catch (Exception ex)
        {
            LoseLocked(vip, events, $"could not be put back: {ex.Message}");
            VipErrorLocked(vip, events, $"putting back {vip.Binding.Address}/{vip.Binding.PrefixLength} on {vip.Binding.Interface}: {ex.Message}", ex);
            ScheduleRetryLocked();
            return;
        }

        vip.ByOperator = false;
        RepairedLocked(vip, events, "address was removed by hand");
        _watchVersion++;
    }

    private void RepairedLocked(AnnouncedVip vip, List<AnnouncerEvent> events, string reason)
    {
        _repairs++;
        _logger.VipRepaired(vip.Vip.Name, vip.Binding.Address, vip.Binding.Interface, reason);
        events.Add(new AnnouncerEvent(AnnouncerEventKind.Repaired, vip.Vip.Name, vip.Binding, reason));
        StartBurstLocked(vip, events);
    }

    private void ScheduleRetryLocked()
    {
        if (_disposed || _retryTimer is not null)
        {
            return;
        }

        var delay = _retryDelay;
        _retryDelay = delay * 2 < RetryMax ? delay * 2 : RetryMax;
        _logger.RetryScheduled((long)delay.TotalMilliseconds);
        _retryTimer = _time.CreateTimer(static state => ((Announcer)state!).OnRetryTimer(), this, delay, Timeout.InfiniteTimeSpan);
    }
}
