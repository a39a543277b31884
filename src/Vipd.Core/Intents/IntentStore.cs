using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Vipd.Core.Intents;

/// <summary>
/// The cluster-wide operator intents: each dynamic source's VIP set and each VIP's Move preference. Every entry has
/// its own <see cref="IntentVersion"/> (Lamport counter, origin node): a local call writes a new version, and a peer's
/// entry replaces ours only when its version is newer (last writer wins per source and per VIP), so every node that
/// has seen the same writes holds the same state whatever the order. Removed sources and cleared preferences stay as
/// tombstones for <see cref="IntentOptions.TombstoneLifetime"/>.
/// Thread-safe; no I/O. <see cref="Changed"/> is raised outside the lock, in the order the changes happened.
/// <c>IntentReplicator</c> spreads it through the gossip; <c>Vipd.State.IntentFile</c> persists it.
/// </summary>
public sealed partial class IntentStore
{
    private readonly Lock _lock = new();
    private readonly Lock _raiseLock = new();
    private readonly string _localNode;
    private readonly TimeProvider _time;
    private readonly IntentOptions _options;
    private readonly ILogger _logger;
    private readonly SortedDictionary<IntentKey, Entry> _entries = new();
    private List<IntentChange> _pending = [];
    private HashSet<string> _reservedNames = new(StringComparer.Ordinal);
    private HashSet<IPAddress> _reservedAddresses = [];
    private ulong _clock;
    private long _revision;
    private IReadOnlyDictionary<string, IReadOnlyList<DynamicVip>>? _vipsSnapshot;
    private IReadOnlyDictionary<string, string>? _preferencesSnapshot;

    /// <summary>Creates an empty store for the node named <paramref name="localNode"/>.</summary>
    public IntentStore(string localNode, TimeProvider time, IntentOptions? options = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(localNode);
        ArgumentNullException.ThrowIfNull(time);
        _localNode = localNode;
        _time = time;
        _options = options ?? IntentOptions.Default;
        _options.Validate();
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// Raised after each change, local or learned from a peer, outside the store's lock, one at a time and in order.
    /// A handler may call back into the store.
    /// </summary>
    public event Action<IntentChange>? Changed;

    /// <summary>This node's name (the origin of its writes).</summary>
    public string LocalNode => _localNode;

    /// <summary>The options in force.</summary>
    public IntentOptions Options => _options;

    /// <summary>Grows with every change (local or merged): a cheap "has anything changed" for persistence.</summary>
    public long Revision
    {
        get
        {
            lock (_lock)
            {
                return _revision;
            }
        }
    }

    /// <summary>Every source with at least one VIP: source → its VIPs sorted by name. Sources sorted by name.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<DynamicVip>> DynamicVips
    {
        get
        {
            lock (_lock)
            {
                return _vipsSnapshot ??= BuildVipsSnapshotLocked();
            }
        }
    }

    /// <summary>Every Move preference in force: VIP → preferred node.</summary>
    public IReadOnlyDictionary<string, string> Preferences
    {
        get
        {
            lock (_lock)
            {
                return _preferencesSnapshot ??= BuildPreferencesSnapshotLocked();
            }
        }
    }

    /// <summary>The preferred node of <paramref name="vip"/>, or null.</summary>
    public string? PreferenceOf(string vip) => Preferences.GetValueOrDefault(vip);

    /// <summary>The version of <paramref name="source"/>'s set (also for a tombstone), or null when never seen.</summary>
    public IntentVersion? SourceVersion(string source)
    {
        lock (_lock)
        {
            return _entries.TryGetValue(new IntentKey(IntentKind.Source, source), out var entry) ? entry.Version : null;
        }
    }

    /// <summary>
    /// The dynamic VIPs in force, in a deterministic order (source, then name), without conflicts: a VIP whose name
    /// or address is reserved (the config file's) is left out, and of two sources with the same VIP name or address
    /// (applied concurrently on two nodes) the source that sorts first keeps it. Every node with the same state
    /// computes the same list.
    /// </summary>
    public IReadOnlyList<SourcedVip> EffectiveVips()
    {
        HashSet<string> reservedNames;
        HashSet<IPAddress> reservedAddresses;
        lock (_lock)
        {
            reservedNames = _reservedNames;
            reservedAddresses = _reservedAddresses;
        }

        return Resolve(DynamicVips, reservedNames, reservedAddresses);
    }

    /// <summary>
    /// The config file's VIP names and addresses: a dynamic VIP may not use them (apply refuses; a replicated one that
    /// does is left out of <see cref="EffectiveVips"/>). Set at start and on each reload.
    /// </summary>
    public void SetReserved(IEnumerable<string> names, IEnumerable<IPAddress> addresses)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(addresses);
        var n = new HashSet<string>(names, StringComparer.Ordinal);
        var a = new HashSet<IPAddress>(addresses);
        lock (_lock)
        {
            _reservedNames = n;
            _reservedAddresses = a;
        }
    }

    /// <summary>
    /// Applies <paramref name="vips"/> to <paramref name="source"/>: added or updated by name, and with
    /// <paramref name="replace"/> the source's other VIPs removed. Writes a new version only when something changed.
    /// </summary>
    /// <exception cref="IntentException">Invalid source or request (InvalidArgument), or a name or address another source or the config uses (FailedPrecondition).</exception>
    public ApplyResult Apply(string source, IReadOnlyList<DynamicVip> vips, bool replace)
    {
        ArgumentNullException.ThrowIfNull(vips);
        RequireValid(IntentValidation.SourceError(source));
        if (vips.Count > IntentValidation.MaxVipsPerSource)
        {
            throw new IntentException(IntentError.InvalidArgument, $"a source holds at most {IntentValidation.MaxVipsPerSource} VIPs");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var addresses = new HashSet<IPAddress>();
        foreach (var vip in vips)
        {
            ArgumentNullException.ThrowIfNull(vip);
            if (!names.Add(vip.Name))
            {
                throw new IntentException(IntentError.InvalidArgument, $"VIP '{vip.Name}' is listed twice");
            }

            if (!addresses.Add(vip.Address))
            {
                throw new IntentException(IntentError.InvalidArgument, $"address {vip.Address} is listed twice (VIP '{vip.Name}')");
            }
        }

        ApplyResult result;
        lock (_lock)
        {
            CheckConflictsLocked(source, vips);
            var key = new IntentKey(IntentKind.Source, source);
            var existing = _entries.TryGetValue(key, out var entry) ? entry : null;
            if (existing is null && vips.Count > 0)
            {
                RequireRoomLocked();
            }

            var current = existing?.Vips ?? [];
            var byName = current.ToDictionary(v => v.Name, StringComparer.Ordinal);
            var next = replace ? new SortedDictionary<string, DynamicVip>(StringComparer.Ordinal)
                : new SortedDictionary<string, DynamicVip>(byName, StringComparer.Ordinal);
            List<string> added = [], changed = [], unchanged = [], removed = [];
            foreach (var vip in vips)
            {
                next[vip.Name] = vip;
                if (!byName.TryGetValue(vip.Name, out var old))
                {
                    added.Add(vip.Name);
                }
                else if (old == vip)
                {
                    unchanged.Add(vip.Name);
                }
                else
                {
                    changed.Add(vip.Name);
                }
            }

            foreach (var name in byName.Keys)
            {
                if (!next.ContainsKey(name))
                {
                    removed.Add(name);
                }
            }

            added.Sort(StringComparer.Ordinal);
            changed.Sort(StringComparer.Ordinal);
            unchanged.Sort(StringComparer.Ordinal);
            removed.Sort(StringComparer.Ordinal);
            var version = existing?.Version ?? default;
            if (added.Count + changed.Count + removed.Count > 0)
            {
                var list = next.Values.ToList();
                if (IntentCodec.EncodeVips(list).Length > _options.MaxEntryBytes)
                {
                    throw new IntentException(IntentError.InvalidArgument, $"the source's set would exceed {_options.MaxEntryBytes} bytes");
                }

                version = NextVersionLocked();
                WriteSourceLocked(source, version, list, [.. added, .. changed], removed, local: true);
            }

            result = new ApplyResult(added, changed, unchanged, removed, version);
        }

        RaisePending();
        return result;
    }

    /// <summary>Removes <paramref name="names"/> (or with <paramref name="all"/> every VIP) from <paramref name="source"/>.</summary>
    /// <exception cref="IntentException">Invalid source or request (InvalidArgument); unknown source (NotFound).</exception>
    public RemoveResult Remove(string source, IReadOnlyCollection<string> names, bool all)
    {
        ArgumentNullException.ThrowIfNull(names);
        RequireValid(IntentValidation.SourceError(source));
        if (all && names.Count > 0)
        {
            throw new IntentException(IntentError.InvalidArgument, "give either VIP names or all, not both");
        }

        if (!all && names.Count == 0)
        {
            throw new IntentException(IntentError.InvalidArgument, "give the VIP names to remove, or all");
        }

        RemoveResult result;
        lock (_lock)
        {
            var key = new IntentKey(IntentKind.Source, source);
            if (!_entries.TryGetValue(key, out var entry) || entry.IsTombstone)
            {
                throw new IntentException(IntentError.NotFound, $"no dynamic source '{source}'");
            }

            var current = entry.Vips!;
            var requested = all ? current.Select(v => v.Name).ToHashSet(StringComparer.Ordinal) : names.ToHashSet(StringComparer.Ordinal);
            var removed = current.Where(v => requested.Contains(v.Name)).Select(v => v.Name).ToList();
            var notFound = requested.Where(n => !current.Any(v => v.Name == n)).Order(StringComparer.Ordinal).ToList();
            var version = entry.Version;
            if (removed.Count > 0)
            {
                version = NextVersionLocked();
                WriteSourceLocked(source, version, [.. current.Where(v => !requested.Contains(v.Name))], [], removed, local: true);
            }

            result = new RemoveResult(removed, notFound, version);
        }

        RaisePending();
        return result;
    }

    /// <summary>
    /// Makes <paramref name="node"/> the preferred owner of <paramref name="vip"/> cluster-wide (null clears it).
    /// The store does not know which VIPs exist: the caller checks that first.
    /// </summary>
    /// <returns>The node preferred before, or null.</returns>
    /// <exception cref="IntentException">Invalid VIP or node name (InvalidArgument).</exception>
    public string? SetPreference(string vip, string? node)
    {
        RequireValid(IntentValidation.VipNameError(vip));
        if (node is not null)
        {
            RequireValid(IntentValidation.NodeError(node));
        }

        string? previous;
        lock (_lock)
        {
            var key = new IntentKey(IntentKind.Preference, vip);
            var exists = _entries.TryGetValue(key, out var entry);
            previous = exists ? entry!.Node : null;
            if (previous != node)
            {
                if (!exists)
                {
                    RequireRoomLocked();
                }

                WritePreferenceLocked(vip, NextVersionLocked(), node, previous, local: true);
            }
        }

        RaisePending();
        return previous;
    }

    /// <summary>Everything held, tombstones included, for persistence.</summary>
    public IntentSnapshot Snapshot()
    {
        lock (_lock)
        {
            PurgeLocked();
            var sources = new List<SourceIntent>();
            var preferences = new List<PreferenceIntent>();
            foreach (var (key, entry) in _entries)
            {
                if (key.Kind == IntentKind.Source)
                {
                    sources.Add(new SourceIntent(key.Name, entry.Version, entry.Vips ?? [], entry.DeletedAt));
                }
                else
                {
                    preferences.Add(new PreferenceIntent(key.Name, entry.Node, entry.Version, entry.DeletedAt));
                }
            }

            return new IntentSnapshot(_clock, sources, preferences);
        }
    }

    /// <summary>
    /// Merges a persisted snapshot (at start): each entry is taken when newer than what is held, as if a peer had sent
    /// it; invalid entries are skipped and counted in the result.
    /// </summary>
    /// <returns>The number of entries skipped as invalid.</returns>
    public int Load(IntentSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var skipped = 0;
        lock (_lock)
        {
            _clock = Math.Max(_clock, snapshot.Clock);
            foreach (var source in snapshot.Sources)
            {
                if (!TryMergeSourceLocked(source.Source, source.Version, source.Vips, source.DeletedAt))
                {
                    skipped++;
                }
            }

            foreach (var preference in snapshot.Preferences)
            {
                if (!TryMergePreferenceLocked(preference.Vip, preference.Version, preference.Node, preference.ClearedAt))
                {
                    skipped++;
                }
            }
        }

        RaisePending();
        return skipped;
    }

    /// <summary>Resolves name and address conflicts deterministically (see <see cref="EffectiveVips"/>).</summary>
    internal static List<SourcedVip> Resolve(
        IReadOnlyDictionary<string, IReadOnlyList<DynamicVip>> sources,
        IReadOnlySet<string> reservedNames,
        IReadOnlySet<IPAddress> reservedAddresses)
    {
        var names = new HashSet<string>(reservedNames, StringComparer.Ordinal);
        var addresses = new HashSet<IPAddress>(reservedAddresses);
        var result = new List<SourcedVip>();
        foreach (var source in sources.Keys.Order(StringComparer.Ordinal))
        {
            foreach (var vip in sources[source])
            {
                if (names.Contains(vip.Name) || addresses.Contains(vip.Address))
                {
                    continue;
                }

                names.Add(vip.Name);
                addresses.Add(vip.Address);
                result.Add(new SourcedVip(source, vip));
            }
        }

        return result;
    }

    private static void RequireValid(string? error)
    {
        if (error is not null)
        {
            throw new IntentException(IntentError.InvalidArgument, error);
        }
    }

    private void CheckConflictsLocked(string source, IReadOnlyList<DynamicVip> vips)
    {
        foreach (var vip in vips)
        {
            if (_reservedNames.Contains(vip.Name))
            {
                throw new IntentException(IntentError.FailedPrecondition, $"VIP '{vip.Name}' is defined in the config file");
            }

            if (_reservedAddresses.Contains(vip.Address))
            {
                throw new IntentException(IntentError.FailedPrecondition, $"address {vip.Address} (VIP '{vip.Name}') is used by a VIP of the config file");
            }
        }

        foreach (var (key, entry) in _entries)
        {
            if (key.Kind != IntentKind.Source || key.Name == source || entry.Vips is null)
            {
                continue;
            }

            foreach (var vip in vips)
            {
                foreach (var other in entry.Vips)
                {
                    if (other.Name == vip.Name)
                    {
                        throw new IntentException(IntentError.FailedPrecondition, $"VIP '{vip.Name}' belongs to source '{key.Name}'");
                    }

                    if (other.Address.Equals(vip.Address))
                    {
                        throw new IntentException(IntentError.FailedPrecondition,
                            $"address {vip.Address} (VIP '{vip.Name}') is used by VIP '{other.Name}' of source '{key.Name}'");
                    }
                }
            }
        }
    }

    /// <summary>
    /// A hybrid logical clock: above every counter seen and at least the wall clock in Unix milliseconds, so a write
    /// made after a restart that lost the persisted clock still outranks older writes (with loosely synchronised
    /// clocks), and concurrent writes resolve to the later one, as an operator expects.
    /// </summary>
    private void RequireRoomLocked()
    {
        PurgeLocked();
        if (_entries.Count >= _options.MaxEntries)
        {
            throw new IntentException(IntentError.FailedPrecondition,
                $"the cluster holds {_options.MaxEntries} dynamic sources and preferences (removed ones count for {_options.TombstoneLifetime.TotalDays:0.#} days)");
        }
    }

    private IntentVersion NextVersionLocked()
    {
        var wall = (ulong)Math.Max(0, _time.GetUtcNow().ToUnixTimeMilliseconds());
        _clock = Math.Max(_clock + 1, wall);
        return new(_clock, _localNode);
    }

    private SortedDictionary<string, IReadOnlyList<DynamicVip>> BuildVipsSnapshotLocked()
    {
        var result = new SortedDictionary<string, IReadOnlyList<DynamicVip>>(StringComparer.Ordinal);
        foreach (var (key, entry) in _entries)
        {
            if (key.Kind == IntentKind.Source && entry.Vips is { Count: > 0 } vips)
            {
                result[key.Name] = vips;
            }
        }

        return result;
    }

    private SortedDictionary<string, string> BuildPreferencesSnapshotLocked()
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, entry) in _entries)
        {
            if (key.Kind == IntentKind.Preference && entry.Node is { } node)
            {
                result[key.Name] = node;
            }
        }

        return result;
    }

    /// <summary>Raises the queued changes in order, outside the state lock.</summary>
    private void RaisePending()
    {
        lock (_raiseLock)
        {
            List<IntentChange> pending;
            lock (_lock)
            {
                if (_pending.Count == 0)
                {
                    return;
                }

                pending = _pending;
                _pending = [];
            }

            foreach (var change in pending)
            {
                try
                {
                    Changed?.Invoke(change);
                }
                catch (Exception ex)
                {
                    _logger.HandlerFailed(change.Source ?? change.Vip ?? "?", ex);
                }
            }
        }
    }

    /// <summary>One replicated entry: a source's set (<see cref="Vips"/>) or a preference (<see cref="Node"/>).</summary>
    private sealed class Entry(IntentVersion version, IReadOnlyList<DynamicVip>? vips, string? node, DateTimeOffset? deletedAt)
    {
        private byte[]? _encoded;

        public IntentVersion Version { get; } = version;

        /// <summary>For a source: its VIPs (null for a tombstone).</summary>
        public IReadOnlyList<DynamicVip>? Vips { get; } = vips;

        /// <summary>For a preference: the node (null when cleared).</summary>
        public string? Node { get; } = node;

        public DateTimeOffset? DeletedAt { get; } = deletedAt;

        public bool IsTombstone => DeletedAt is not null;

        /// <summary>The wire value: empty for a tombstone.</summary>
        public byte[] Encoded => _encoded ??= IsTombstone ? [] : Vips is not null ? IntentCodec.EncodeVips(Vips) : IntentCodec.EncodeNode(Node!);
    }
}
