using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Vipd.Core.Reconcile;

/// <summary>
/// Holds and announces the VIPs this node owns. Level-triggered: every change of the desired set, every link
/// change and a periodic resync compare desired with the kernel's addresses (<see cref="ReconcilePlanner"/>) and
/// apply the difference in one batch. A newly held VIP gets its first announcement before
/// <see cref="SetDesired"/> returns, then the rest of its <see cref="AnnouncementPolicy"/> from timers. When an
/// interface's packet budget (<see cref="AnnouncementPacing"/>) runs short, announcements wait in its queue: every
/// VIP's first before any repeat, in the order they became due; a repeat is scheduled from when its predecessor left.
/// An address removed behind vipd's back is put back and re-announced as soon as the monitor reports it.
/// </summary>
/// <remarks>
/// Synchronous, one <see cref="Lock"/>: monitor, conflict and timer callbacks may arrive on any thread. Events are
/// raised outside the lock, on the thread that caused them. Callbacks never throw; failures are logged, counted,
/// raised as <see cref="AnnouncerEventKind.Error"/> and retried with backoff. The monitors are started, not owned:
/// whoever made them disposes them.
/// </remarks>
public sealed partial class Announcer : IDisposable
{
    /// <summary>A conflict re-announces a VIP at most once a second: a host that keeps claiming it causes no storm.</summary>
    internal static readonly TimeSpan ConflictHoldoff = TimeSpan.FromSeconds(1);

    /// <summary>30 s: a full resync catches what notifications cannot carry (failed DAD) or lost (buffer overflow).</summary>
    internal static readonly TimeSpan ResyncInterval = TimeSpan.FromSeconds(30);

    /// <summary>100 ms: the first retry after a failure is quick; a transient error costs little.</summary>
    internal static readonly TimeSpan RetryInitial = TimeSpan.FromMilliseconds(100);

    /// <summary>10 s: a lasting failure (interface gone) is still retried often enough, without busy looping.</summary>
    internal static readonly TimeSpan RetryMax = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private readonly IAddressManager _addresses;
    private readonly INeighborAnnouncer _neighbors;
    private readonly INetworkMonitor? _monitor;
    private readonly IConflictMonitor? _conflictMonitor;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, AnnouncedVip> _vips = new(StringComparer.Ordinal);

    /// <summary>The owned VIPs by address, for the per-address callbacks (removal, conflict); rebuilt with the set.</summary>
    private readonly Dictionary<IPAddress, List<AnnouncedVip>> _byAddress = [];

    /// <summary>The announcements waiting for their interface's packet budget, by interface name; rebuilt with the set.</summary>
    private readonly Dictionary<string, AnnouncementQueue> _queues = new(StringComparer.Ordinal);

    /// <summary>The <see cref="TimeProvider"/> timestamp the packet budgets count from.</summary>
    private readonly long _origin;

    private ITimer? _retryTimer;
    private ITimer? _resyncTimer;
    private TimeSpan _retryDelay = RetryInitial;
    private bool _started;
    private bool _disposed;
    private long _watchVersion;
    private long _watchApplied;

    private long _announcements;
    private long _reconciles;
    private long _added;
    private long _removed;
    private long _repairs;
    private long _conflicts;
    private long _conflictsSuppressed;
    private long _errors;
    private long _deferred;

    public Announcer(
        IAddressManager addresses,
        INeighborAnnouncer neighbors,
        INetworkMonitor? monitor,
        IConflictMonitor? conflictMonitor,
        TimeProvider time,
        ILogger<Announcer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        ArgumentNullException.ThrowIfNull(neighbors);
        ArgumentNullException.ThrowIfNull(time);
        _addresses = addresses;
        _neighbors = neighbors;
        _monitor = monitor;
        _conflictMonitor = conflictMonitor;
        _time = time;
        _origin = time.GetTimestamp();
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>
    /// Asked (under the announcer's lock; must not call back into it) when another MAC claims a held VIP: false means
    /// this node holds the VIP only to hand it over or is letting it go, so the claim is the new owner's and is not
    /// answered with a burst (that would pull clients back to a node about to let go). Null: every claim is answered.
    /// </summary>
    public Func<string, bool>? Defends { get; set; }

    /// <summary>What the announcer did or met. Raised outside the announcer's lock; a throwing handler is counted and ignored.</summary>
    public event Action<AnnouncerEvent>? Changed;

    /// <summary>The names of the VIPs bound to their interface now (vipd's address or an operator's).</summary>
    public IReadOnlyCollection<string> Held
    {
        get
        {
            lock (_lock)
            {
                var held = new List<string>(_vips.Count);
                foreach (var vip in _vips.Values)
                {
                    if (vip.Bound)
                    {
                        held.Add(vip.Vip.Name);
                    }
                }

                return held;
            }
        }
    }

    /// <summary>A snapshot of the counters.</summary>
    public AnnouncerCounters Counters
    {
        get
        {
            lock (_lock)
            {
                return new AnnouncerCounters(
                    _announcements, _reconciles, _added, _removed, _repairs, _conflicts, _conflictsSuppressed, _errors, QueuedLocked(), _deferred);
            }
        }
    }

    /// <summary>
    /// Starts the network and conflict monitors and the periodic resync. Call once, after the startup
    /// <see cref="CleanupAll"/> and before or after the first <see cref="SetDesired"/>.
    /// </summary>
    public void Start()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started)
            {
                return;
            }

            _started = true;
            _resyncTimer = _time.CreateTimer(static state => ((Announcer)state!).OnResyncTimer(), this, ResyncInterval, ResyncInterval);
        }

        _monitor?.Start(OnNetworkChange);
        _conflictMonitor?.Start(OnConflict);
    }

    /// <summary>
    /// Replaces the set of owned VIPs and reconciles at once: removes vipd's addresses no longer owned, adds the
    /// missing ones in one batch, and sends the first announcement of each newly held VIP before returning.
    /// Setting the same set again changes nothing. Throws only for an invalid argument.
    /// </summary>
    public void SetDesired(IReadOnlyCollection<OwnedVip> vips)
    {
        ArgumentNullException.ThrowIfNull(vips);
        var next = Validate(vips);
        var events = new List<AnnouncerEvent>();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var gone = new List<AnnouncedVip>();
            foreach (var (name, vip) in _vips)
            {
                if (!next.TryGetValue(name, out var wanted) || wanted.Binding != vip.Binding)
                {
                    gone.Add(vip);
                }
            }

            foreach (var vip in gone)
            {
                _vips.Remove(vip.Vip.Name);
                ReleaseLocked(vip, events);
            }

            foreach (var (name, wanted) in next)
            {
                if (_vips.TryGetValue(name, out var vip))
                {
                    vip.Vip = wanted;
                }
                else
                {
                    _vips[name] = new AnnouncedVip(wanted);
                }
            }

            IndexLocked();
            ReconcileLocked(events);
            PumpAllLocked(events);
        }

        Finish(events);
    }

    /// <summary>
    /// Starts a fresh announcement burst for a held VIP (after a partition heals, or on request). Returns false when
    /// the VIP is not held or its link is down.
    /// </summary>
    public bool Reannounce(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var events = new List<AnnouncerEvent>();
        bool started;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            started = _vips.TryGetValue(name, out var vip) && StartBurstLocked(vip, events);
        }

        Finish(events);
        return started;
    }

    /// <summary>
    /// Forgets every owned VIP and removes every address and hold (<see cref="AddressHold"/>) vipd added on any
    /// interface (also those a crashed predecessor left behind); an operator's addresses stay. For startup and <c>vipd cleanup</c>. Returns how many
    /// addresses were removed; throws <see cref="InvalidOperationException"/> when some could not be.
    /// </summary>
    public int CleanupAll()
    {
        var events = new List<AnnouncerEvent>();
        int removed;
        List<string> failures;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var vip in _vips.Values)
            {
                ReleaseLocked(vip, events, hold: false);
            }

            _vips.Clear();
            IndexLocked();
            failures = [];
            CleanupHoldsLocked(failures, events);
            var changes = new List<AddressChange>();
            foreach (var address in _addresses.ListAddresses())
            {
                if (address.AddedByVipd)
                {
                    changes.Add(new AddressChange(AddressChangeKind.Remove, address.InterfaceIndex, address.Address, address.PrefixLength));
                }
            }

            removed = 0;
            if (changes.Count > 0)
            {
                foreach (var result in _addresses.Apply(changes))
                {
                    if (result.Outcome == AddressOutcome.Failed)
                    {
                        var message = $"removing {result.Change.Address}/{result.Change.PrefixLength} from interface {result.Change.InterfaceIndex}: {result.Error}";
                        failures.Add(message);
                        ErrorLocked(events, null, message, null);
                    }
                    else if (result.Outcome == AddressOutcome.Applied)
                    {
                        removed++;
                        _removed++;
                    }
                }
            }

            _logger.CleanedUp(removed);
            _watchVersion++;
        }

        Finish(events);
        if (failures.Count > 0)
        {
            throw new InvalidOperationException($"cleanup removed {removed} addresses, {failures.Count} failed: {string.Join("; ", failures)}");
        }

        return removed;
    }

    /// <summary>
    /// Stops every timer and removes the holds still in place (wait for <see cref="Holding"/> to end first); later
    /// monitor callbacks are ignored. Does not remove addresses (see <see cref="CleanupAll"/>).
    /// </summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var vip in _vips.Values)
            {
                StopBurstLocked(vip);
            }

            foreach (var queue in _queues.Values)
            {
                queue.Epoch++;
                queue.Timer?.Dispose();
                queue.Timer = null;
            }

            _retryTimer?.Dispose();
            _retryTimer = null;
            _resyncTimer?.Dispose();
            _resyncTimer = null;

            // A hold must not outlive the process: this node would keep answering for a VIP it no longer owns.
            EndHoldsLocked(all: true, []);
        }
    }

    private void IndexLocked()
    {
        _byAddress.Clear();
        foreach (var vip in _vips.Values)
        {
            if (!_byAddress.TryGetValue(vip.Binding.Address, out var list))
            {
                list = new List<AnnouncedVip>(1);
                _byAddress[vip.Binding.Address] = list;
            }

            list.Add(vip);
        }

        IndexQueuesLocked();
    }

    private static Dictionary<string, OwnedVip> Validate(IReadOnlyCollection<OwnedVip> vips)
    {
        var next = new Dictionary<string, OwnedVip>(vips.Count, StringComparer.Ordinal);
        foreach (var vip in vips)
        {
            ArgumentNullException.ThrowIfNull(vip, nameof(vips));
            if (!next.TryAdd(vip.Name, vip))
            {
                throw new ArgumentException($"VIP name {vip.Name} appears twice", nameof(vips));
            }

            var errors = vip.Policy.Validate();
            if (errors.Count > 0)
            {
                throw new ArgumentException($"VIP {vip.Name}: {string.Join("; ", errors)}", nameof(vips));
            }
        }

        return next;
    }
}
