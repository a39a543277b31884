using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Vipd.Core.Intents;

/// <summary>Writes, merges of peers' entries, tombstone expiry, and the digest replication compares.</summary>
public sealed partial class IntentStore
{
    private ulong? _digestHash;

    /// <summary>The digest of every entry: (key, version) sorted by key, tombstones included.</summary>
    internal List<(IntentKey Key, IntentVersion Version)> Digest()
    {
        lock (_lock)
        {
            PurgeLocked();
            return [.. _entries.Select(e => (e.Key, e.Value.Version))];
        }
    }

    /// <summary>A 64-bit hash of <see cref="Digest"/> and its entry count: equal on two nodes means (almost surely) equal state.</summary>
    internal (ulong Hash, int Count) DigestSummary()
    {
        lock (_lock)
        {
            PurgeLocked();
            _digestHash ??= ComputeHashLocked();
            return (_digestHash.Value, _entries.Count);
        }
    }

    /// <summary>The version of one entry, or null.</summary>
    internal IntentVersion? VersionOf(IntentKey key)
    {
        lock (_lock)
        {
            return _entries.TryGetValue(key, out var entry) ? entry.Version : null;
        }
    }

    /// <summary>One entry as sent on the wire: version, deletion time and encoded value (empty for a tombstone).</summary>
    internal bool TryGetEncoded(IntentKey key, out IntentVersion version, out DateTimeOffset? deletedAt, out byte[] value)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var entry))
            {
                version = entry.Version;
                deletedAt = entry.DeletedAt;
                value = entry.Encoded;
                return true;
            }
        }

        version = default;
        deletedAt = null;
        value = [];
        return false;
    }

    /// <summary>How far a peer's counter may run ahead of this node's wall clock (clock skew between honest nodes is far less).</summary>
    internal static readonly TimeSpan MaxClockLead = TimeSpan.FromDays(1);

    /// <summary>The largest counter accepted from a peer now: this node's wall clock in Unix ms plus <see cref="MaxClockLead"/>.</summary>
    private ulong LatestAcceptableCounter() =>
        (ulong)Math.Max(0, _time.GetUtcNow().ToUnixTimeMilliseconds()) + (ulong)MaxClockLead.TotalMilliseconds;

    /// <summary>Merges one entry a peer sent. Never throws.</summary>
    internal MergeOutcome Merge(IntentKey key, IntentVersion version, DateTimeOffset? deletedAt, ReadOnlySpan<byte> value)
    {
        if (IntentValidation.NodeError(version.Origin) is not null || version.Counter == 0 || version.Counter > LatestAcceptableCounter())
        {
            // A counter far beyond the wall clock would freeze the entry (nothing could outrank it) and, through our
            // clock, every later write of this node: a buggy or hostile key holder's, refused and counted.
            return MergeOutcome.Invalid;
        }

        MergeOutcome outcome;
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var existing) && existing.Version >= version)
            {
                // Also lift the clock: our next write must outrank what the peer has.
                _clock = Math.Max(_clock, version.Counter);
                return MergeOutcome.Stale;
            }

            if (existing is null && _entries.Count >= _options.MaxEntries)
            {
                PurgeLocked();
                if (_entries.Count >= _options.MaxEntries)
                {
                    return MergeOutcome.Invalid;
                }
            }

            switch (key.Kind)
            {
                case IntentKind.Source when deletedAt is not null:
                    outcome = value.IsEmpty && TryMergeSourceLocked(key.Name, version, [], deletedAt) ? MergeOutcome.Accepted : MergeOutcome.Invalid;
                    break;
                case IntentKind.Source:
                    outcome = IntentCodec.TryDecodeVips(value, out var vips) && vips.Count > 0
                        && TryMergeSourceLocked(key.Name, version, vips, null) ? MergeOutcome.Accepted : MergeOutcome.Invalid;
                    break;
                case IntentKind.Preference when deletedAt is not null:
                    outcome = value.IsEmpty && TryMergePreferenceLocked(key.Name, version, null, deletedAt) ? MergeOutcome.Accepted : MergeOutcome.Invalid;
                    break;
                case IntentKind.Preference:
                    outcome = IntentCodec.TryDecodeNode(value, out var node)
                        && TryMergePreferenceLocked(key.Name, version, node, null) ? MergeOutcome.Accepted : MergeOutcome.Invalid;
                    break;
                default:
                    outcome = MergeOutcome.Invalid;
                    break;
            }
        }

        RaisePending();
        return outcome;
    }

    /// <summary>Drops tombstones older than the lifetime (from outside: the replicator's timer).</summary>
    internal void Purge()
    {
        lock (_lock)
        {
            PurgeLocked();
        }
    }

    private bool IsExpired(DateTimeOffset? deletedAt) =>
        deletedAt is { } at && _time.GetUtcNow() - at >= _options.TombstoneLifetime;

    private void PurgeLocked()
    {
        List<IntentKey>? expired = null;
        foreach (var (key, entry) in _entries)
        {
            if (IsExpired(entry.DeletedAt))
            {
                (expired ??= []).Add(key);
            }
        }

        foreach (var key in expired ?? [])
        {
            _entries.Remove(key);
            _digestHash = null;
        }
    }

    /// <summary>Takes a source's set when its version is newer than the one held; false when invalid.</summary>
    private bool TryMergeSourceLocked(string source, IntentVersion version, IReadOnlyList<DynamicVip> vips, DateTimeOffset? deletedAt)
    {
        if (IntentValidation.SourceError(source) is not null || IntentValidation.NodeError(version.Origin) is not null
            || version.Counter == 0 || (deletedAt is null) == (vips.Count == 0) || vips.Count > IntentValidation.MaxVipsPerSource)
        {
            return false;
        }

        _clock = Math.Max(_clock, version.Counter);
        var key = new IntentKey(IntentKind.Source, source);
        var existing = _entries.TryGetValue(key, out var e) ? e : null;
        if ((existing is not null && existing.Version >= version) || IsExpired(deletedAt))
        {
            return true;
        }

        var old = (existing?.Vips ?? []).ToDictionary(v => v.Name, StringComparer.Ordinal);
        var applied = vips.Where(v => !old.TryGetValue(v.Name, out var o) || o != v).Select(v => v.Name).ToList();
        var names = vips.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        var removed = old.Keys.Where(n => !names.Contains(n)).Order(StringComparer.Ordinal).ToList();
        WriteSourceLocked(source, version, vips, applied, removed, local: false, deletedAt);
        return true;
    }

    private bool TryMergePreferenceLocked(string vip, IntentVersion version, string? node, DateTimeOffset? clearedAt)
    {
        if (IntentValidation.VipNameError(vip) is not null || IntentValidation.NodeError(version.Origin) is not null
            || version.Counter == 0 || (clearedAt is null) == (node is null) || (node is not null && IntentValidation.NodeError(node) is not null))
        {
            return false;
        }

        _clock = Math.Max(_clock, version.Counter);
        var key = new IntentKey(IntentKind.Preference, vip);
        var existing = _entries.TryGetValue(key, out var e) ? e : null;
        if ((existing is not null && existing.Version >= version) || IsExpired(clearedAt))
        {
            return true;
        }

        WritePreferenceLocked(vip, version, node, existing?.Node, local: false, clearedAt);
        return true;
    }

    private void WriteSourceLocked(string source, IntentVersion version, IReadOnlyList<DynamicVip> vips, List<string> applied,
        List<string> removed, bool local, DateTimeOffset? deletedAt = null)
    {
        var sorted = vips.OrderBy(v => v.Name, StringComparer.Ordinal).ToArray();
        if (sorted.Length == 0)
        {
            deletedAt ??= _time.GetUtcNow();
        }

        _entries[new IntentKey(IntentKind.Source, source)] = new Entry(version, sorted.Length == 0 ? null : sorted, null, sorted.Length == 0 ? deletedAt : null);
        _vipsSnapshot = null;
        _digestHash = null;
        _revision++;
        var appliedSorted = applied.Order(StringComparer.Ordinal).ToList();
        _pending.Add(new IntentChange(IntentChangeKind.DynamicVips, source, appliedSorted, removed, null, null, null, version, local));
        if (_logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Information))
        {
            _logger.SourceChanged(source, version.ToString(), appliedSorted.Count, removed.Count, local ? "api" : "peer");
        }
    }

    private void WritePreferenceLocked(string vip, IntentVersion version, string? node, string? previous, bool local, DateTimeOffset? clearedAt = null)
    {
        if (node is null)
        {
            clearedAt ??= _time.GetUtcNow();
        }

        _entries[new IntentKey(IntentKind.Preference, vip)] = new Entry(version, null, node, node is null ? clearedAt : null);
        _preferencesSnapshot = null;
        _digestHash = null;
        _revision++;
        _pending.Add(new IntentChange(IntentChangeKind.Preference, null, [], [], vip, previous, node, version, local));
        if (_logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Information))
        {
            _logger.PreferenceChanged(vip, node ?? "none", version.ToString(), local ? "api" : "peer");
        }
    }

    private ulong ComputeHashLocked()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> number = stackalloc byte[9];
        foreach (var (key, entry) in _entries)
        {
            number[0] = (byte)key.Kind;
            BinaryPrimitives.WriteUInt64BigEndian(number[1..], entry.Version.Counter);
            hash.AppendData(number);
            hash.AppendData(Encoding.UTF8.GetBytes(key.Name));
            hash.AppendData([0]);
            hash.AppendData(Encoding.UTF8.GetBytes(entry.Version.Origin));
            hash.AppendData([0]);
        }

        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return BinaryPrimitives.ReadUInt64BigEndian(digest);
    }
}
