using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vipd.Core.Election;
using Vipd.Core.Membership;

namespace Vipd.Core.Cluster;

/// <summary>
/// The orchestrator between membership and announcer: publishes this node's <see cref="NodeRecord"/>, re-elects every
/// VIP on each membership change (and when a preempt delay or a handover wait ends), and says which VIPs this node
/// should hold (<see cref="Desired"/>). Synchronous, one <see cref="Lock"/>; events are raised outside it, and <see cref="DesiredChanged"/> by one delivery loop at a time (see <c>Deliver</c>).
/// <para>Safety rules: a node takes a VIP only when it is the elected owner in its view; it releases a VIP at once
/// when a better-ranked live node claims it (the election makes that claimant the owner); when it merely stops being
/// the owner it keeps the VIP until the new owner claims it or <see cref="ClusterOptions.HandoverTimeout"/> passes
/// (make-before-break); with quorum required and lost it releases everything at once.</para>
/// </summary>
public sealed partial class ClusterNode : IDisposable
{
    private static readonly IReadOnlySet<string> NoVips = new HashSet<string>(StringComparer.Ordinal);

    private readonly Lock _lock = new();
    private readonly Lock _publishLock = new();
    private readonly Lock _deliverLock = new();
    private readonly string _localName;
    private readonly ClusterOptions _options;
    private readonly IMembership _membership;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _timer;

    private IReadOnlyList<VipSpec> _vips = [];
    private readonly Dictionary<string, ulong> _vipIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, uint> _legacyIds = new(StringComparer.Ordinal);
    private readonly HashSet<string> _legacyLogged = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _learntAt = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _disagreeingSince = new(StringComparer.Ordinal);
    private readonly HashSet<string> _disagreementLogged = new(StringComparer.Ordinal);
    private ulong _vipSetDigest;
    private bool _vipsSet;
    private readonly Dictionary<string, string> _collisions = new(StringComparer.Ordinal);
    private bool _maintenance;
    private bool _draining;
    private bool _handoverLogged;
    private Dictionary<string, LocalVipState> _localState = new(StringComparer.Ordinal);
    private HashSet<string> _held = new(StringComparer.Ordinal);
    private uint _recordVersion;
    private byte[]? _lastPublished;
    private StandingModel? _model;
    private IReadOnlyList<NodeVerdict> _verdicts = [];
    private int[] _modelIndex = [];
    private readonly Dictionary<string, (IReadOnlyList<NodeVerdict> Verdicts, LocalStanding[] Standing)> _derivedByNode = new(StringComparer.Ordinal);
    private readonly List<(IReadOnlyList<NodeVerdict> Verdicts, LocalStanding[] Standing)> _derivedShared = [];
    private readonly Dictionary<string, DateTimeOffset> _standingDiffersSince = new(StringComparer.Ordinal);
    private bool _explicitWanted;
    private long _badRecords;
    private bool _fullPending = true;
    private readonly HashSet<int> _dirty = [];
    private readonly Dictionary<string, (bool Live, NodeRecord? Record)> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, int> _indexByKey = [];
    private readonly Dictionary<string, int> _indexByName = new(StringComparer.Ordinal);
    private DateTimeOffset? _scheduledWake;
    private bool _republish;

    private readonly Dictionary<string, Dictionary<string, DateTimeOffset>> _eligibleSince = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _owners = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _retainSince = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _lingerSince = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _claimants = new(StringComparer.Ordinal);

    /// <summary>The highest takeover epoch seen per VIP key, in any record (peers' and this node's own claims).</summary>
    private readonly Dictionary<ulong, uint> _epochSeen = [];

    /// <summary>Per VIP this node took over: the nodes out of its view whose last record still claimed it (<c>NoteTakenFromLocked</c>).</summary>
    private readonly Dictionary<string, List<string>> _takenFrom = new(StringComparer.Ordinal);

    /// <summary>The takeover epoch of each VIP this node wants (fixed when it entered <see cref="_desired"/>).</summary>
    private readonly Dictionary<string, uint> _claimEpoch = new(StringComparer.Ordinal);
    private readonly HashSet<string> _contested = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ElectionInput> _inputs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (byte[] Bytes, NodeRecord? Record)> _records = new(StringComparer.Ordinal);
    private IReadOnlySet<string> _desired = NoVips;
    private DateTimeOffset _settleUntil;
    private bool _settled;
    private bool _hadQuorum = true;
    private QuorumState _quorum;
    private long _generation;
    private long _deliveredGeneration;
    private long _pendingGeneration;
    private IReadOnlySet<string>? _pendingDesired;
    private bool _delivering;
    private bool _disposed;

    /// <summary>Creates the node and subscribes to <paramref name="membership"/>; call <see cref="SetVips"/> and <c>SetLocalState</c> next.</summary>
    public ClusterNode(string localName, ClusterOptions options, IMembership membership, TimeProvider time, ILogger? logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(localName);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(membership);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ExpectedNodes, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.HandoverTimeout, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.StartupGrace, TimeSpan.Zero, nameof(options));
        _localName = localName;
        _options = options;
        _membership = membership;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        _settleUntil = time.GetUtcNow() + options.StartupGrace;
        _settled = options.StartupGrace <= TimeSpan.Zero;
        _timer = time.CreateTimer(static state => ((ClusterNode)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        membership.Changed += OnMemberChanged;
    }

    /// <summary>The VIP names this node should hold now (a new set after each change; never mutated).</summary>
    public event Action<IReadOnlySet<string>>? DesiredChanged;

    /// <summary>The elected owner of a VIP changed in this node's view: once per change, for logs and events.</summary>
    public event Action<OwnershipChange>? OwnershipChanged;

    /// <summary>This node owns the VIP and saw another live node claim it (e.g. a partition healed): re-announce it to fix stale neighbour caches.</summary>
    public event Action<string>? ReannounceRequested;

    /// <summary>The VIP names this node should hold now.</summary>
    public IReadOnlySet<string> Desired
    {
        get
        {
            lock (_lock)
            {
                return _desired;
            }
        }
    }

    /// <summary>True after <see cref="BeginHandover"/> once this node holds no VIP any more.</summary>
    public bool HandoverComplete
    {
        get
        {
            lock (_lock)
            {
                return _draining && _desired.Count == 0;
            }
        }
    }

    /// <summary>Replaces the configured VIPs (a reload); re-elects.</summary>
    public void SetVips(IReadOnlyList<VipSpec> vips)
    {
        ArgumentNullException.ThrowIfNull(vips);
        lock (_lock)
        {
            _vips = [.. vips];
            _fullPending = true;
            _indexByKey.Clear();
            _indexByName.Clear();
            _vipIds.Clear();
            _legacyIds.Clear();
            _collisions.Clear();
            var byId = new Dictionary<ulong, string>();
            for (var index = 0; index < _vips.Count; index++)
            {
                var vip = _vips[index];
                var id = VipKey.Of(vip.Name);
                _indexByKey.TryAdd(id, index);
                _indexByName.TryAdd(vip.Name, index);
                _vipIds[vip.Name] = id;
                _legacyIds[vip.Name] = StableHash.VipId(vip.Name);
                if (byId.TryGetValue(id, out var other) && other != vip.Name)
                {
                    _collisions[vip.Name] = other;
                    _collisions.TryAdd(other, vip.Name);
                    _logger.VipIdCollision(vip.Name, other);
                }
                else
                {
                    byId[id] = vip.Name;
                }
            }

            var names = _vips.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
            _vipSetDigest = DigestLocked();
            var now = _time.GetUtcNow();
            foreach (var name in names)
            {
                if (_vipsSet && !_owners.ContainsKey(name))
                {
                    _learntAt.TryAdd(name, now);
                }
            }

            foreach (var name in _learntAt.Keys.Where(n => !names.Contains(n)).ToList())
            {
                _learntAt.Remove(name);
            }

            _vipsSet = true;
            RebuildModelIndexLocked();

            // Epochs only of the VIPs this node elects over (bounded by the VIP set, however many come and go); a VIP
            // just learnt takes the epochs of the records already at hand.
            foreach (var key in _epochSeen.Keys.Where(k => !_indexByKey.ContainsKey(k)).ToList())
            {
                _epochSeen.Remove(key);
            }

            foreach (var (_, cached) in _records)
            {
                if (cached.Record is { Legacy: false } record)
                {
                    NoteEpochsLocked(record);
                }
            }

            foreach (var name in _eligibleSince.Keys.Where(n => !names.Contains(n)).ToList())
            {
                _eligibleSince.Remove(name);
            }

            foreach (var name in _owners.Keys.Where(n => !names.Contains(n)).ToList())
            {
                _owners.Remove(name);
                _claimants.Remove(name);
                _retainSince.Remove(name);
                _lingerSince.Remove(name);
                _inputs.Remove(name);
            }
        }

        Publish();
        Reelect();
    }

    /// <summary>
    /// Sets this node's maintenance flag and per-VIP eligibility and priority given as values (no model peers could
    /// derive them from): the record then lists every VIP explicitly. Republishes its record and re-elects.
    /// </summary>
    public void SetLocalState(bool maintenance, IReadOnlyDictionary<string, LocalVipState> vips)
    {
        ArgumentNullException.ThrowIfNull(vips);
        lock (_lock)
        {
            _maintenance = maintenance;
            _localState = new Dictionary<string, LocalVipState>(vips, StringComparer.Ordinal);
            _fullPending = true;
            SetModelLocked(null, []);
            _vipSetDigest = DigestLocked();
        }

        Publish();
        Reelect();
    }

    /// <summary>
    /// Sets this node's maintenance flag and its check and link verdicts, from which <paramref name="model"/> derives
    /// its standing for every VIP (<see cref="StandingModel.Derive"/>: the same function peers apply to its lean
    /// record). Peers' lean records are derived with the same model. Republishes its record and re-elects.
    /// </summary>
    public void SetLocalState(bool maintenance, StandingModel model, IReadOnlyList<NodeVerdict> verdicts)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(verdicts);
        lock (_lock)
        {
            _maintenance = maintenance;
            var standing = model.Derive(_localName, verdicts);
            var states = new Dictionary<string, LocalVipState>(standing.Length, StringComparer.Ordinal);
            for (var i = 0; i < standing.Length; i++)
            {
                states[model.Vips[i].Name] = new LocalVipState(standing[i].Eligible, standing[i].Priority);
            }

            _localState = states;
            _fullPending = true;
            SetModelLocked(model, [.. verdicts]);
            _vipSetDigest = DigestLocked();
        }

        Publish();
        Reelect();
    }

    /// <summary>Member records that did not decode (each distinct body once): the member then counts as neither eligible nor holding.</summary>
    public long BadRecords => Interlocked.Read(ref _badRecords);

    /// <summary>The record size this node publishes now (bytes), for metrics and tests.</summary>
    public int PublishedRecordSize
    {
        get
        {
            lock (_lock)
            {
                return _lastPublished?.Length ?? 0;
            }
        }
    }

    /// <summary>True while this node publishes a lean record (claims and verdicts; peers derive its standing).</summary>
    public bool PublishesLean
    {
        get
        {
            lock (_lock)
            {
                return LeanLocked;
            }
        }
    }

    private bool LeanLocked => _model is { Digest: not 0 } && !_explicitWanted;

    private void SetModelLocked(StandingModel? model, IReadOnlyList<NodeVerdict> verdicts)
    {
        _verdicts = verdicts;
        if (ReferenceEquals(model, _model))
        {
            return;
        }

        _model = model;
        // Publish lean from the first record on when peers agree (the next election decides again).
        var now = _time.GetUtcNow();
        _explicitWanted = model is not { Digest: not 0 } || _standingDiffersSince.Values.Any(since => now >= since + StandingGrace);
        _derivedByNode.Clear();
        _derivedShared.Clear();
        RebuildModelIndexLocked();
    }

    private void RebuildModelIndexLocked()
    {
        _modelIndex = new int[_vips.Count];
        for (var i = 0; i < _vips.Count; i++)
        {
            _modelIndex[i] = _model is not null && _model.TryIndexOf(_vips[i].Name, out var index) ? index : -1;
        }
    }

    /// <summary>Marks for the next election the VIPs in exactly one of the two sets (by name).</summary>
    private void MarkDirtyLocked(IReadOnlySet<string> before, HashSet<string> after)
    {
        foreach (var name in before)
        {
            if (!after.Contains(name) && _indexByName.TryGetValue(name, out var index))
            {
                _dirty.Add(index);
            }
        }

        foreach (var name in after)
        {
            if (!before.Contains(name) && _indexByName.TryGetValue(name, out var index))
            {
                _dirty.Add(index);
            }
        }
    }

    /// <summary>
    /// A lean peer's standing for every VIP of this node's model, derived from its verdicts (cached: verdicts rarely
    /// change, claims do). Null without a model.
    /// </summary>
    private LocalStanding[]? DerivedLocked(string node, NodeRecord record)
    {
        if (_model is null)
        {
            return null;
        }

        if (_model.NodeDependent)
        {
            if (_derivedByNode.TryGetValue(node, out var cached) && cached.Verdicts.SequenceEqual(record.Verdicts))
            {
                return cached.Standing;
            }

            var standing = _model.Derive(node, record.Verdicts);
            _derivedByNode[node] = (record.Verdicts, standing);
            return standing;
        }

        foreach (var (verdicts, standing) in _derivedShared)
        {
            if (verdicts.SequenceEqual(record.Verdicts))
            {
                return standing;
            }
        }

        var derived = _model.Derive(node, record.Verdicts);
        if (_derivedShared.Count >= 64)
        {
            _derivedShared.RemoveAt(0);
        }

        _derivedShared.Add((record.Verdicts, derived));
        return derived;
    }

    /// <summary>What the announcer actually holds now: gossiped as this node's claims, for the VIPs it still wants.</summary>
    public void ReportHeld(IReadOnlyCollection<string> vipNames)
    {
        ArgumentNullException.ThrowIfNull(vipNames);
        var unchanged = false;
        lock (_lock)
        {
            if (_held.SetEquals(vipNames))
            {
                unchanged = true;
            }
            else
            {
                var held = new HashSet<string>(vipNames, StringComparer.Ordinal);
                MarkDirtyLocked(_held, held);
                _held = held;
            }
        }

        // Claims are "held and still desired" (ClaimsLocked): the announcer reports after every desired set it
        // applied, so a changed desired set is republished here even with the same addresses held. Not from Reelect:
        // it runs inside the membership's event delivery, and publishing there could deadlock with UpdateMetadata.
        Publish();
        if (unchanged)
        {
            return;
        }

        Reelect();
    }

    /// <summary>
    /// Starts a planned handover: sets the drain flag so peers elect successors, keeps each VIP until its successor
    /// claims it or <see cref="ClusterOptions.HandoverTimeout"/> passes, then drops it. Watch <see cref="HandoverComplete"/>.
    /// </summary>
    public void BeginHandover()
    {
        lock (_lock)
        {
            if (_draining)
            {
                return;
            }

            _draining = true;
            _fullPending = true;
            _logger.HandoverBegun(_desired.Count, (long)_options.HandoverTimeout.TotalMilliseconds);
        }

        Publish();
        Reelect();
    }

    /// <summary>
    /// Ends a drain (<see cref="BeginHandover"/>): clears the drain flag so peers count this node again; with preempt
    /// it may take VIPs back. No effect when not draining.
    /// </summary>
    public void EndHandover()
    {
        lock (_lock)
        {
            if (!_draining)
            {
                return;
            }

            _draining = false;
            _fullPending = true;
            _handoverLogged = false;
            _logger.HandoverEnded();
        }

        Publish();
        Reelect();
    }

    /// <summary>True between <see cref="BeginHandover"/> and <see cref="EndHandover"/>.</summary>
    public bool IsDraining
    {
        get
        {
            lock (_lock)
            {
                return _draining;
            }
        }
    }

    /// <summary>The maintenance flag last given to <c>SetLocalState</c>.</summary>
    public bool IsMaintenance
    {
        get
        {
            lock (_lock)
            {
                return _maintenance;
            }
        }
    }

    /// <summary>The quorum as of the last election.</summary>
    public QuorumState Quorum
    {
        get
        {
            lock (_lock)
            {
                return _quorum;
            }
        }
    }

    /// <summary>
    /// True when this node should answer another MAC's claim of <paramref name="vip"/> with a fresh announcement: it
    /// wants to hold the VIP and no other node is the elected owner. False while it only holds the VIP to hand it
    /// over (make-before-break, the linger of a drain) or is letting it go: answering then would pull clients back
    /// to a node about to release.
    /// </summary>
    public bool Defends(string vip)
    {
        ArgumentNullException.ThrowIfNull(vip);
        lock (_lock)
        {
            return _desired.Contains(vip) && (!_owners.TryGetValue(vip, out var owner) || owner is null || owner == _localName);
        }
    }

    /// <summary>The elected owner of every VIP in this node's view (null: none), as of the last election.</summary>
    public IReadOnlyDictionary<string, string?> Owners
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<string, string?>(_owners, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>The live nodes that claim to hold <paramref name="vip"/> now, by name (more than one only in a handover or a conflict).</summary>
    public IReadOnlyList<string> HoldersOf(string vip)
    {
        ArgumentNullException.ThrowIfNull(vip);
        lock (_lock)
        {
            if (!_inputs.TryGetValue(vip, out var input))
            {
                return [];
            }

            return [.. input.Candidates.Where(c => c.Live && c.Holding).Select(c => c.Name).Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>What a member gossips about itself (its record decoded, VIP ids mapped to this node's VIP names), or null when it has none.</summary>
    public MemberStanding? StandingOf(string node)
    {
        ArgumentNullException.ThrowIfNull(node);
        lock (_lock)
        {
            NodeView view;
            if (node == _localName)
            {
                view = new NodeView(node, true, SelfRecordLocked(), null);
            }
            else
            {
                var member = _membership.Members.FirstOrDefault(m => m.Name == node);
                var record = member is null ? null : DecodeLocked(member);
                view = new NodeView(node, true, record, record is { Lean: true } ? DerivedLocked(node, record) : null);
            }

            if (view.Record is not { } found)
            {
                return null;
            }

            var vips = new List<VipStanding>();
            for (var i = 0; i < _vips.Count; i++)
            {
                var vip = _vips[i];
                if (!_collisions.ContainsKey(vip.Name) && TryEntryLocked(view, i, out var entry))
                {
                    vips.Add(new VipStanding(vip.Name, entry.Eligible, entry.Priority, entry.Holding));
                }
            }

            return new MemberStanding(node, found.Maintenance, found.Draining, vips);
        }
    }

    /// <summary>Why <paramref name="vip"/> is owned by whom in this node's view (ranked candidates with reasons).</summary>
    public VipExplanation Explain(string vip)
    {
        ArgumentNullException.ThrowIfNull(vip);
        lock (_lock)
        {
            return ExplainLocked(vip);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _membership.Changed -= OnMemberChanged;
        _timer.Dispose();
    }

    private void OnMemberChanged(Member member) => Reelect();

    private void OnTimer()
    {
        bool republish;
        lock (_lock)
        {
            republish = _republish;
            _republish = false;
            _fullPending = true; // a deadline passed (preempt delay, handover, grace): look at every VIP
            _scheduledWake = null;
        }

        if (republish)
        {
            Publish();
        }

        Reelect();
    }

    private void Publish()
    {
        lock (_publishLock)
        {
            byte[]? bytes;
            lock (_lock)
            {
                if (_disposed)
                {
                    return;
                }

                bytes = BuildRecordLocked();
            }

            // Unchanged content (a health tick that changed nothing) is not republished: no gossip, no re-elections.
            if (bytes is not null)
            {
                _membership.UpdateMetadata(bytes);
            }
        }
    }

    /// <summary>
    /// The digest of the VIPs this node elects over and has its own standing for (a VIP published before its local
    /// state would tell peers "I know it" while its entry still says "not eligible"), with each VIP's election settings
    /// that are configured per node (preempt, preempt delay, allowed nodes): the first 8 bytes of SHA-256 over them,
    /// sorted by key, so nodes that know the same VIPs with the same settings have the same digest.
    /// </summary>
    private ulong DigestLocked()
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        Span<byte> field = stackalloc byte[8];
        foreach (var vip in _vips.Where(v => _localState.ContainsKey(v.Name)).OrderBy(v => _vipIds[v.Name]))
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(field, _vipIds[vip.Name]);
            hash.AppendData(field);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(field, vip.Preempt ? vip.PreemptDelay.Ticks : -1);
            hash.AppendData(field);
            var nodes = vip.AllowedNodes is null ? "*" : string.Join('\0', vip.AllowedNodes.Order(StringComparer.Ordinal));
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(nodes + "\n"));
        }

        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(digest);
    }

    private byte[]? BuildRecordLocked()
    {
        var lean = LeanLocked;
        var entries = new List<NodeVipEntry>();
        foreach (var vip in _vips)
        {
            if (_collisions.ContainsKey(vip.Name))
            {
                continue;
            }

            var holding = ClaimsLocked(vip.Name);
            if (lean)
            {
                if (holding)
                {
                    entries.Add(new NodeVipEntry(_vipIds[vip.Name], false, 0, true, _claimEpoch.GetValueOrDefault(vip.Name)));
                }

                continue;
            }

            var state = _localState.GetValueOrDefault(vip.Name);
            if (state.Eligible || holding)
            {
                entries.Add(new NodeVipEntry(_vipIds[vip.Name], state.Eligible, (byte)Math.Clamp(state.Priority, 0, 255), holding,
                    holding ? _claimEpoch.GetValueOrDefault(vip.Name) : 0));
            }
        }

        // Every claim, however many: a record larger than a datagram travels in the membership's metadata fragments,
        // so no claim is ever hidden from peers (the 84-entry truncation of format 1 left VIPs held twice). A lean
        // record carries the verdicts instead of per-VIP standing: peers derive it with the same model.
        var record = new NodeRecord(_recordVersion + 1, _maintenance, _draining, entries)
        {
            VipSetDigest = _vipSetDigest,
            StandingDigest = _model?.Digest ?? 0,
            Verdicts = _model is null ? [] : _verdicts,
            Lean = lean,
        };
        var bytes = NodeRecordCodec.Encode(record);
        if (_lastPublished is not null && bytes.AsSpan(5).SequenceEqual(_lastPublished.AsSpan(5)))
        {
            return null; // bytes 1..4 are the record version: everything after it is the same
        }

        _recordVersion++;
        _lastPublished = bytes;
        return bytes;
    }
}
