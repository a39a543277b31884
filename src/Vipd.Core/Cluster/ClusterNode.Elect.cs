using Vipd.Core.Election;
using Vipd.Core.Membership;

namespace Vipd.Core.Cluster;

public sealed partial class ClusterNode
{
    private void Reelect()
    {
        IReadOnlySet<string>? desired = null;
        long generation = 0;
        List<OwnershipChange> changes = [];
        List<string> reannounce = [];
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            var previous = _desired;
            var next = ElectLocked(changes, reannounce);
            if (!next.SetEquals(previous))
            {
                _desired = next;
                desired = next;
                generation = ++_generation;
            }

            if (_draining && _desired.Count == 0 && !_handoverLogged)
            {
                _handoverLogged = true;
                _logger.HandoverComplete();
            }
        }

        foreach (var change in changes)
        {
            OwnershipChanged?.Invoke(change);
        }

        if (desired is not null)
        {
            lock (_deliverLock)
            {
                // A newer set may have been delivered by a nested or concurrent re-election: never go back to an older one.
                if (generation > _deliveredGeneration)
                {
                    _deliveredGeneration = generation;
                    DesiredChanged?.Invoke(desired);
                }
            }
        }

        foreach (var vip in reannounce)
        {
            ReannounceRequested?.Invoke(vip);
        }
    }

    private HashSet<string> ElectLocked(List<OwnershipChange> changes, List<string> reannounce)
    {
        var now = _time.GetUtcNow();
        var nodes = SnapshotNodesLocked();
        var live = nodes.Count(n => n.Live);
        var quorum = new QuorumState(_options.Quorum, live, _options.ExpectedNodes);
        if (quorum.HasQuorum != _hadQuorum)
        {
            _hadQuorum = quorum.HasQuorum;
            if (quorum.HasQuorum)
            {
                _logger.QuorumRegained(live, _options.ExpectedNodes);

                // Back from a minority: hear the rest of the cluster (and its claims) before taking anything.
                if (_options.StartupGrace > TimeSpan.Zero)
                {
                    _settled = false;
                    _settleUntil = now + _options.StartupGrace;
                }
            }
            else
            {
                _logger.QuorumLost(live, _options.ExpectedNodes, quorum.Needed);
            }
        }

        if (!_settled && (live >= _options.ExpectedNodes || now >= _settleUntil))
        {
            _settled = true;
        }

        var desired = new HashSet<string>(StringComparer.Ordinal);
        DateTimeOffset? wakeAt = _settled ? null : _settleUntil;
        var candidates = new List<ElectionCandidate>(nodes.Count);
        foreach (var vip in _vips)
        {
            candidates.Clear();
            VipExplanation explanation;
            if (_collisions.TryGetValue(vip.Name, out var other))
            {
                explanation = new VipExplanation(vip.Name, null, $"no owner: its id collides with VIP {other}; rename one", [], null);
            }
            else
            {
                var id = _vipIds[vip.Name];
                foreach (var node in nodes)
                {
                    var entry = default(NodeVipEntry);
                    var hasEntry = node.Record is not null && node.Record.TryGet(id, out entry);
                    var candidate = new ElectionCandidate(
                        node.Name,
                        node.Live,
                        node.Record?.Maintenance ?? false,
                        node.Record?.Draining ?? false,
                        hasEntry && entry.Eligible,
                        hasEntry ? entry.Priority : 0,
                        hasEntry && entry.Holding,
                        null);
                    var key = (vip.Name, node.Name);
                    if (VipElection.IneligibleReason(vip, candidate) is null)
                    {
                        _eligibleSince.TryAdd(key, now);
                        candidate = candidate with { EligibleSince = _eligibleSince[key] };
                    }
                    else
                    {
                        _eligibleSince.Remove(key);
                    }

                    candidates.Add(candidate);
                }

                explanation = VipElection.Elect(vip, candidates, now, quorum);
            }

            _explanations[vip.Name] = explanation;
            wakeAt = Earliest(wakeAt, explanation.ReconsiderAt);
            var owner = explanation.Owner;
            var previousOwner = _owners.GetValueOrDefault(vip.Name);
            if (previousOwner != owner)
            {
                _owners[vip.Name] = owner;
                var reason = ChangeReason(explanation, previousOwner);
                changes.Add(new OwnershipChange(vip.Name, previousOwner, owner, reason));
                _logger.OwnerChanged(vip.Name, previousOwner ?? "none", owner ?? "none", reason);
            }

            if (owner == _localName && !_settled)
            {
                _explanations[vip.Name] = explanation with { Summary = explanation.Summary + "; this node is (re)joining and takes it once it has heard the cluster" };
                continue;
            }

            if (owner == _localName)
            {
                desired.Add(vip.Name);
                _retainSince.Remove(vip.Name);
                if (!_desired.Contains(vip.Name))
                {
                    _logger.Acquiring(vip.Name, explanation.Summary);
                }

                TrackClaimantsLocked(vip.Name, candidates, reannounce);
                continue;
            }

            _claimants.Remove(vip.Name);
            if (!_desired.Contains(vip.Name))
            {
                continue;
            }

            // This node holds it but no longer owns it: keep it until the new owner claims it (make-before-break),
            // unless the quorum is gone or nobody will take it over anyway.
            var ownerClaims = owner is not null && candidates.Exists(c => c.Name == owner && c.Holding);
            string? releaseReason = null;
            if (!quorum.HasQuorum)
            {
                releaseReason = explanation.Summary;
            }
            else if (ownerClaims)
            {
                releaseReason = $"{owner} claims it";
            }
            else if (owner is null && !_draining)
            {
                releaseReason = explanation.Summary;
            }
            else
            {
                var since = _retainSince.TryGetValue(vip.Name, out var s) ? s : _retainSince[vip.Name] = now;
                var deadline = since + _options.HandoverTimeout;
                if (now < deadline)
                {
                    desired.Add(vip.Name);
                    wakeAt = Earliest(wakeAt, deadline);
                    continue;
                }

                releaseReason = owner is null ? "handover timeout, no successor" : $"handover timeout, {owner} has not claimed it";
            }

            _retainSince.Remove(vip.Name);
            _logger.Releasing(vip.Name, releaseReason);
        }

        if (wakeAt is { } at)
        {
            var due = at - now;
            _timer.Change(due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        return desired;
    }

    private void TrackClaimantsLocked(string vip, List<ElectionCandidate> candidates, List<string> reannounce)
    {
        var seen = _claimants.TryGetValue(vip, out var set) ? set : _claimants[vip] = new HashSet<string>(StringComparer.Ordinal);
        var fresh = false;
        var current = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in candidates)
        {
            if (c.Name != _localName && c.Live && c.Holding)
            {
                current.Add(c.Name);
                if (!seen.Contains(c.Name))
                {
                    fresh = true;
                    _logger.OtherClaimant(vip, c.Name);
                }
            }
        }

        _claimants[vip] = current;
        if (fresh)
        {
            reannounce.Add(vip);
        }
    }

    private List<NodeView> SnapshotNodesLocked()
    {
        var members = _membership.Members;
        var nodes = new List<NodeView>(members.Count + 1)
        {
            new(_localName, true, LocalRecordLocked()),
        };
        var seen = new HashSet<string>(StringComparer.Ordinal) { _localName };
        foreach (var member in members)
        {
            if (!seen.Add(member.Name))
            {
                continue;
            }

            nodes.Add(new NodeView(member.Name, member.IsLive, DecodeLocked(member)));
        }

        return nodes;
    }

    private NodeRecord LocalRecordLocked()
    {
        var entries = new List<NodeVipEntry>();
        foreach (var vip in _vips)
        {
            var state = _localState.GetValueOrDefault(vip.Name);
            var holding = _held.Contains(vip.Name);
            if ((state.Eligible || holding) && !_collisions.ContainsKey(vip.Name))
            {
                entries.Add(new NodeVipEntry(_vipIds[vip.Name], state.Eligible, (byte)Math.Clamp(state.Priority, 0, 255), holding));
            }
        }

        entries.Sort(static (a, b) => a.VipId.CompareTo(b.VipId));
        return new NodeRecord(_recordVersion, _maintenance, _draining, entries);
    }

    private NodeRecord? DecodeLocked(Member member)
    {
        var span = member.Metadata.Span;
        if (_records.TryGetValue(member.Name, out var cached) && span.SequenceEqual(cached.Bytes))
        {
            return cached.Record;
        }

        if (!NodeRecordCodec.TryDecode(span, out var record, out var error) && error != NodeRecordError.Empty)
        {
            _logger.BadRecord(member.Name, error);
        }

        _records[member.Name] = (span.ToArray(), record);
        return record;
    }

    private static string ChangeReason(VipExplanation explanation, string? previousOwner)
    {
        if (explanation.Owner is null)
        {
            return previousOwner is null ? explanation.Summary : $"{explanation.Summary}; {Verdict(explanation, previousOwner)}";
        }

        if (previousOwner is null)
        {
            return "elected: " + Verdict(explanation, explanation.Owner);
        }

        return $"{previousOwner}: {Verdict(explanation, previousOwner)}; {explanation.Owner}: {Verdict(explanation, explanation.Owner)}";
    }

    private static string Verdict(VipExplanation explanation, string node)
    {
        foreach (var verdict in explanation.Candidates)
        {
            if (verdict.Node == node)
            {
                return verdict.Reason;
            }
        }

        return "left the view";
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;

    private sealed record NodeView(string Name, bool Live, NodeRecord? Record);
}
