using System.Globalization;
using System.Net.NetworkInformation;

namespace Vipd.Core.Reconcile;

public sealed partial class Announcer
{
    private void OnNetworkChange(NetworkChange change)
    {
        if (change.Kind == NetworkChangeKind.AddressAdded)
        {
            // Additions are vipd's own or an operator's; the periodic resync sees their flags. Not worth the lock.
            return;
        }

        var events = new List<AnnouncerEvent>();
        try
        {
            lock (_lock)
            {
                if (_disposed)
                {
                    return;
                }

                switch (change.Kind)
                {
                    case NetworkChangeKind.AddressRemoved:
                        OnAddressRemovedLocked(change, events);
                        break;
                    case NetworkChangeKind.LinkChanged:
                    case NetworkChangeKind.LinkRemoved:
                        // Index 0 means "resync everything" (the monitor lost notifications); a link change may
                        // bring a link up (announce), down (pause) or create the interface a VIP waits for.
                        ReconcileLocked(events);
                        break;
                    default:
                        break;
                }
            }
        }
        catch (Exception ex)
        {
            CallbackFailed("network change", ex, events);
        }

        Finish(events);
    }

    private void OnAddressRemovedLocked(NetworkChange change, List<AnnouncerEvent> events)
    {
        if (change.Address is null || !_byAddress.TryGetValue(change.Address, out var vips))
        {
            return;
        }

        foreach (var vip in vips)
        {
            if (!vip.Bound || vip.Link is null || vip.Link.Index != change.InterfaceIndex || vip.Binding.PrefixLength != change.PrefixLength)
            {
                continue;
            }

            if (vip.ExpectedRemovals > 0)
            {
                vip.ExpectedRemovals--;
                continue;
            }

            RepairLocked(vip, events);
        }
    }

    private void OnConflict(AddressConflict conflict)
    {
        var events = new List<AnnouncerEvent>();
        try
        {
            lock (_lock)
            {
                if (_disposed)
                {
                    return;
                }

                if (!_byAddress.TryGetValue(conflict.Address, out var vips))
                {
                    return;
                }

                foreach (var vip in vips)
                {
                    if (!vip.Bound || vip.Link is null || vip.Link.Index != conflict.InterfaceIndex)
                    {
                        continue;
                    }

                    _conflicts++;
                    var mac = FormatMac(conflict.ForeignMac);
                    if (Defends?.Invoke(vip.Vip.Name) == false)
                    {
                        _logger.ConflictYielded(vip.Vip.Name, vip.Binding.Address, mac);
                        continue;
                    }

                    var now = _time.GetTimestamp();
                    if (vip.LastConflictBurst is { } last && _time.GetElapsedTime(last, now) < ConflictHoldoff)
                    {
                        _conflictsSuppressed++;
                        _logger.ConflictSuppressed(vip.Vip.Name, vip.Binding.Address, mac);
                        continue;
                    }

                    vip.LastConflictBurst = now;
                    _logger.VipConflict(vip.Vip.Name, vip.Binding.Address, mac, conflict.Kind.ToString());
                    events.Add(new AnnouncerEvent(AnnouncerEventKind.Conflict, vip.Vip.Name, vip.Binding, $"claimed by {mac} ({conflict.Kind})"));
                    StartBurstLocked(vip, events);
                }
            }
        }
        catch (Exception ex)
        {
            CallbackFailed("conflict", ex, events);
        }

        Finish(events);
    }

    /// <summary>A MAC as <c>ip</c> prints it: 02:00:5e:00:00:01.</summary>
    internal static string FormatMac(PhysicalAddress mac)
        => string.Join(':', mac.GetAddressBytes().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));

    private void OnRetryTimer()
    {
        var events = new List<AnnouncerEvent>();
        try
        {
            lock (_lock)
            {
                if (_disposed)
                {
                    return;
                }

                _retryTimer?.Dispose();
                _retryTimer = null;
                ReconcileLocked(events);
            }
        }
        catch (Exception ex)
        {
            CallbackFailed("retry timer", ex, events);
        }

        Finish(events);
    }

    private void OnResyncTimer()
    {
        var events = new List<AnnouncerEvent>();
        try
        {
            lock (_lock)
            {
                if (_disposed)
                {
                    return;
                }

                ReconcileLocked(events);
            }
        }
        catch (Exception ex)
        {
            CallbackFailed("resync timer", ex, events);
        }

        Finish(events);
    }

    private void CallbackFailed(string where, Exception ex, List<AnnouncerEvent> events)
    {
        lock (_lock)
        {
            ErrorLocked(events, null, $"{where}: {ex.Message}", ex);
        }
    }
}
