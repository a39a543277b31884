namespace Vipd.Core.Reconcile;

/// <summary>
/// Break after make for BGP VIPs: removing a silent VIP's address withdraws its route (FRR redistributes the address)
/// and would stop the kernel accepting the VIP's traffic at the same moment, while the routers keep sending that
/// traffic here until the withdrawal reaches their FIB (~125 ms with FRR, more under load). So before the address
/// goes, a hold (<see cref="AddressHold"/>, a local route zebra does not redistribute) keeps the traffic accepted
/// for <see cref="WithdrawalHold"/>, and is then removed.
/// </summary>
public sealed partial class Announcer
{
    /// <summary>
    /// 1 s: the withdrawal reached the router's FIB in ~125 ms (p50) and 657 ms at worst under load in the lab
    /// (<c>bgp</c> benchmark); held a little longer costs nothing, as the node still serves the VIP.
    /// </summary>
    public static readonly TimeSpan WithdrawalHold = TimeSpan.FromSeconds(1);

    /// <summary>The holds in place and when each ends (a <see cref="TimeProvider"/> timestamp).</summary>
    private readonly Dictionary<AddressHold, long> _holds = [];

    private ITimer? _holdTimer;

    /// <summary>True while a released BGP VIP's traffic is still accepted (<see cref="WithdrawalHold"/>); the stop waits for it.</summary>
    public bool Holding
    {
        get
        {
            lock (_lock)
            {
                return _holds.Count > 0;
            }
        }
    }

    /// <summary>
    /// Before a bound silent (BGP) VIP's own address is removed: a hold for it until <see cref="WithdrawalHold"/> from
    /// now. An L2 VIP needs none (the successor's announcement moves the clients at once), nor does an operator's address
    /// (it stays). A failure is logged and the release goes on: the hold only spares packets.
    /// </summary>
    private void HoldLocked(AnnouncedVip vip, List<AnnouncerEvent> events)
    {
        if (_disposed || !vip.Vip.Policy.IsSilent || !vip.Bound || vip.ByOperator || vip.Link is null)
        {
            return;
        }

        var hold = new AddressHold(vip.Link.Index, vip.Binding.Address);
        try
        {
            _addresses.AddHold(hold);
        }
        catch (Exception ex)
        {
            ErrorLocked(events, vip, $"holding {vip.Binding.Address} on {vip.Binding.Interface} while its withdrawal travels: {ex.Message}", ex);
            return;
        }

        _holds[hold] = _time.GetTimestamp() + (long)(WithdrawalHold.TotalSeconds * _time.TimestampFrequency);
        ScheduleHoldTimerLocked();
    }

    /// <summary>Removes the holds that ended (all of them when <paramref name="all"/>), and re-arms the timer for the next.</summary>
    private void EndHoldsLocked(bool all, List<AnnouncerEvent> events)
    {
        var now = _time.GetTimestamp();
        foreach (var (hold, until) in _holds.ToList())
        {
            if (!all && until > now)
            {
                continue;
            }

            _holds.Remove(hold);
            try
            {
                _addresses.RemoveHold(hold);
            }
            catch (Exception ex)
            {
                ErrorLocked(events, null, $"removing the hold of {hold.Address} on interface {hold.InterfaceIndex}: {ex.Message}", ex);
            }
        }

        ScheduleHoldTimerLocked();
    }

    /// <summary>Removes every hold vipd made, also a crashed predecessor's (start-up and <c>vipd cleanup</c>).</summary>
    private void CleanupHoldsLocked(List<string> failures, List<AnnouncerEvent> events)
    {
        _holds.Clear();
        ScheduleHoldTimerLocked();
        IReadOnlyList<AddressHold> holds;
        try
        {
            holds = _addresses.ListHolds();
        }
        catch (Exception ex)
        {
            var message = $"listing holds: {ex.Message}";
            failures.Add(message);
            ErrorLocked(events, null, message, ex);
            return;
        }

        foreach (var hold in holds)
        {
            try
            {
                _addresses.RemoveHold(hold);
            }
            catch (Exception ex)
            {
                var message = $"removing the hold of {hold.Address} on interface {hold.InterfaceIndex}: {ex.Message}";
                failures.Add(message);
                ErrorLocked(events, null, message, ex);
            }
        }
    }

    private void ScheduleHoldTimerLocked()
    {
        _holdTimer?.Dispose();
        _holdTimer = null;
        if (_disposed || _holds.Count == 0)
        {
            return;
        }

        var next = _holds.Values.Min();
        var delay = TimeSpan.FromSeconds(Math.Max(0, next - _time.GetTimestamp()) / (double)_time.TimestampFrequency) + TimeSpan.FromMilliseconds(1);
        _holdTimer = _time.CreateTimer(static state => ((Announcer)state!).OnHoldTimer(), this, delay, Timeout.InfiniteTimeSpan);
    }

    private void OnHoldTimer()
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

                EndHoldsLocked(all: false, events);
            }
        }
        catch (Exception ex)
        {
            CallbackFailed("hold timer", ex, events);
        }

        Finish(events);
    }
}
