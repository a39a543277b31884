using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Vipd.Core.Election;
using Vipd.Core.Membership;

namespace Vipd.Core.Cluster;

public sealed partial class ClusterNode
{
    private static readonly TimeSpan MinimumWake = TimeSpan.FromMilliseconds(1);

    /// <summary>How long a peer's VIP set digest may differ before it is reported: far above the spread of a change.</summary>
    private static readonly TimeSpan DisagreementReported = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a live peer's standing digest may differ from this node's before this node lists its standing
    /// explicitly (per VIP) instead of in a lean record: longer than the spread of a VIP set change (milliseconds),
    /// during which each side derives the other with its own model, as every node did with its own config before.
    /// </summary>
    public static readonly TimeSpan StandingGrace = TimeSpan.FromSeconds(2);

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
                AssignEpochsLocked(previous, next);
                MarkDirtyLocked(previous, next); // this node's claims (held ∧ desired) changed for these
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
            Deliver(desired, generation);
        }

        foreach (var vip in reannounce)
        {
            ReannounceRequested?.Invoke(vip);
        }
    }

    /// <summary>
    /// Raises <see cref="DesiredChanged"/> with no lock held, one delivery at a time and never an older set after a
    /// newer one. A caller that finds a delivery running (another thread, or a handler re-entering on this one) only
    /// leaves its set for the running loop, which delivers the newest before it stops: nothing waits on a handler, so a
    /// handler may call back into this node (<see cref="ReportHeld"/>) from any thread without deadlock.
    /// </summary>
    private void Deliver(IReadOnlySet<string> desired, long generation)
    {
        lock (_deliverLock)
        {
            if (generation > _pendingGeneration)
            {
                _pendingGeneration = generation;
                _pendingDesired = desired;
            }

            if (_delivering)
            {
                return;
            }

            _delivering = true;
        }

        while (true)
        {
            IReadOnlySet<string> next;
            lock (_deliverLock)
            {
                if (_pendingGeneration <= _deliveredGeneration)
                {
                    _delivering = false;
                    return;
                }

                next = _pendingDesired!;
                _deliveredGeneration = _pendingGeneration;
            }

            try
            {
                DesiredChanged?.Invoke(next);
            }
            catch
            {
                lock (_deliverLock)
                {
                    _delivering = false; // a throwing handler must not stop every later delivery
                }

                throw;
            }
        }
    }

    private HashSet<string> ElectLocked(List<OwnershipChange> changes, List<string> reannounce)
    {
        var now = _time.GetUtcNow();
        var nodes = SnapshotNodesLocked();
        var live = nodes.Count(n => n.Live);
        var quorum = new QuorumState(_options.Quorum, live, _options.ExpectedNodes);
        _quorum = quorum;
        if (quorum.HasQuorum != _hadQuorum)
        {
            _hadQuorum = quorum.HasQuorum;
            _fullPending = true;
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

        // Settled once every expected node is live and its record is known (a large record arrives in fragments after
        // the member itself: until then its claims are unknown, and taking one of its VIPs would hold it twice).
        if (!_settled && ((live >= _options.ExpectedNodes && nodes.All(n => !n.Live || n.Record is not null)) || now >= _settleUntil))
        {
            _settled = true;
            _fullPending = true;
        }

        DateTimeOffset? wakeAt = _settled ? null : _settleUntil;
        bool? peersInSync = null;
        wakeAt = Earliest(wakeAt, TrackDisagreementsLocked(nodes, now));
        wakeAt = Earliest(wakeAt, TrackStandingDigestsLocked(nodes, now));
        TrackPeerChangesLocked(nodes, reannounce);

        // Which VIPs to elect: all after a change that can move any of them (a node joined or left the view, a
        // record's flags, digests or verdicts changed, a deadline passed, local state or the VIP set changed), else
        // only those whose claims or standing changed. A node that is (re)joining holds nothing and takes nothing
        // until it has heard the cluster: its first election then looks at every VIP once.
        HashSet<string> desired;
        IEnumerable<int> elect;
        var partial = !_fullPending;
        if (!_settled && _desired.Count == 0)
        {
            _fullPending = true;
            desired = new HashSet<string>(StringComparer.Ordinal);
            elect = [];
        }
        else if (_fullPending)
        {
            _fullPending = false;
            _dirty.Clear();
            desired = new HashSet<string>(StringComparer.Ordinal);
            elect = Enumerable.Range(0, _vips.Count);
        }
        else
        {
            desired = new HashSet<string>(_desired, StringComparer.Ordinal);
            var dirty = _dirty.Where(i => i < _vips.Count).Order().ToList();
            _dirty.Clear();
            foreach (var i in dirty)
            {
                desired.Remove(_vips[i].Name);
            }

            elect = dirty;
        }

        if (partial && _scheduledWake is { } scheduled)
        {
            wakeAt = Earliest(wakeAt, scheduled); // the deadlines of the VIPs not elected now still stand
        }

        var last = new ElectionCandidate?[nodes.Count];
        foreach (var index in elect)
        {
            var vip = _vips[index];
            ElectionCandidate[] candidates;
            string? owner;
            if (_collisions.TryGetValue(vip.Name, out var other))
            {
                candidates = [];
                owner = null;
                _inputs[vip.Name] = new ElectionInput(vip, candidates, now, quorum, $"no owner: its id collides with VIP {other}; rename one", null);
            }
            else
            {
                candidates = BuildCandidatesLocked(vip, index, nodes, now, last);
                owner = VipElection.ElectOwner(vip, candidates, now, quorum, out var reconsiderAt);
                wakeAt = Earliest(wakeAt, reconsiderAt);
                if (LegacyHolderLocked(vip.Name, nodes) is { } legacy && quorum.HasQuorum)
                {
                    // A 0.1 node cannot see our claims and keeps what it holds: leave it there (no dual holder).
                    owner = legacy;
                    _inputs[vip.Name] = new ElectionInput(vip, candidates, now, quorum,
                        $"owner {legacy}: a vipd 0.1 node holds it and cannot see newer nodes' claims; it stays there until {legacy} is upgraded", null);
                }
                else if (DisagreeingClaimantLocked(vip.Name, nodes) is { } elder && quorum.HasQuorum)
                {
                    // Nodes whose VIP settings differ can each elect themselves: both then hold it for good. Every node
                    // applies the same rule instead: of the claimants whose settings differ, the lowest name keeps it.
                    owner = elder;
                    _inputs[vip.Name] = new ElectionInput(vip, candidates, now, quorum,
                        $"owner {elder}: it also holds it and its VIP configuration differs from this node's (names, preempt, preempt_delay or nodes); the lower-named node keeps it until the configs agree", null);
                }
                else
                {
                    _inputs[vip.Name] = new ElectionInput(vip, candidates, now, quorum, null,
                        owner == _localName && !_settled ? "this node is (re)joining and takes it once it has heard the cluster" : null);
                }
            }

            var previousOwner = _owners.GetValueOrDefault(vip.Name);
            if (previousOwner != owner)
            {
                _owners[vip.Name] = owner;
                var reason = ChangeReason(ExplainLocked(vip.Name), previousOwner);
                changes.Add(new OwnershipChange(vip.Name, previousOwner, owner, reason));
                _logger.OwnerChanged(vip.Name, previousOwner ?? "none", owner ?? "none", reason);
            }

            if (owner == _localName && !_settled)
            {
                continue;
            }

            if (_learntAt.TryGetValue(vip.Name, out var learnt))
            {
                // A VIP this node has just learnt: claim it only once every live peer knows it too (or the grace is
                // over), so that a peer that is its rightful owner but has not heard of it yet is not pre-empted.
                var until = learnt + _options.NewVipGrace;
                if (now >= until || (_localState.ContainsKey(vip.Name) && (peersInSync ??= PeersKnowOurVipsLocked(nodes))))
                {
                    _learntAt.Remove(vip.Name);
                }
                else if (owner == _localName && !_desired.Contains(vip.Name))
                {
                    _inputs[vip.Name] = _inputs[vip.Name] with { Note = "a new VIP: this node takes it once every live node knows it (at most " + _options.NewVipGrace.TotalSeconds + " s)" };
                    wakeAt = Earliest(wakeAt, until);
                    continue;
                }
                else
                {
                    wakeAt = Earliest(wakeAt, until);
                }
            }

            if (owner == _localName)
            {
                desired.Add(vip.Name);
                _retainSince.Remove(vip.Name);
                _lingerSince.Remove(vip.Name);
                if (!_desired.Contains(vip.Name))
                {
                    NoteTakenFromLocked(vip.Name, candidates);
                    if (_logger.IsEnabled(LogLevel.Information))
                    {
                        _logger.Acquiring(vip.Name, ExplainLocked(vip.Name).Summary);
                    }
                }

                TrackClaimantsLocked(vip.Name, candidates, reannounce);
                continue;
            }

            _claimants.Remove(vip.Name);
            _contested.Remove(vip.Name);
            if (!_desired.Contains(vip.Name))
            {
                continue;
            }

            // This node holds it but no longer owns it: keep it until the new owner claims it (make-before-break),
            // unless the quorum is gone or nobody will take it over anyway.
            var ownerClaims = owner is not null && Array.Exists(candidates, c => c.Name == owner && c.Holding);
            string? releaseReason = null;
            if (!quorum.HasQuorum)
            {
                releaseReason = ExplainLocked(vip.Name).Summary;
            }
            else if (ownerClaims)
            {
                if (_draining && _options.HandoverLinger > TimeSpan.Zero)
                {
                    var claimed = _lingerSince.TryGetValue(vip.Name, out var c) ? c : _lingerSince[vip.Name] = now;
                    if (now < claimed + _options.HandoverLinger)
                    {
                        desired.Add(vip.Name);
                        wakeAt = Earliest(wakeAt, claimed + _options.HandoverLinger);
                        continue;
                    }
                }

                releaseReason = $"{owner} claims it";
            }
            else if (owner is null && !_draining)
            {
                releaseReason = ExplainLocked(vip.Name).Summary;
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
            _lingerSince.Remove(vip.Name);
            _logger.Releasing(vip.Name, releaseReason);
        }

        if (wakeAt is { } at)
        {
            var due = at - now;
            // Never zero: a timer due at once could fire synchronously inside Change, re-entering this election.
            _timer.Change(due < MinimumWake ? MinimumWake : due, Timeout.InfiniteTimeSpan);
            _scheduledWake = at;
        }
        else
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _scheduledWake = null;
        }

        return desired;
    }

    /// <summary>
    /// The candidates for one VIP. <paramref name="last"/> holds the candidate last built for each node in this
    /// election: an equal one is reused (with thousands of VIPs most of a node's candidates are alike).
    /// </summary>
    private ElectionCandidate[] BuildCandidatesLocked(VipSpec vip, int index, List<NodeView> nodes, DateTimeOffset now, ElectionCandidate?[] last)
    {
        // How long a node has been eligible matters only for a preempt delay; without one, none is tracked.
        Dictionary<string, DateTimeOffset>? sinceByNode = null;
        if (vip.Preempt && vip.PreemptDelay > TimeSpan.Zero && !_eligibleSince.TryGetValue(vip.Name, out sinceByNode))
        {
            _eligibleSince[vip.Name] = sinceByNode = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        }
        else if (sinceByNode is null)
        {
            _eligibleSince.Remove(vip.Name);
        }

        var candidates = new ElectionCandidate[nodes.Count];
        for (var i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            var hasEntry = TryEntryLocked(node, index, out var entry);
            var maintenance = node.Record?.Maintenance ?? false;
            var draining = node.Record?.Draining ?? false;
            var eligible = hasEntry && entry.Eligible;
            DateTimeOffset? since = null;
            if (sinceByNode is null)
            {
                // no preempt delay: "eligible long enough" (null) is all the election needs
            }
            else if (node.Live && !maintenance && !draining && eligible && (vip.AllowedNodes is null || vip.AllowedNodes.Contains(node.Name, StringComparer.Ordinal)))
            {
                ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(sinceByNode, node.Name, out var exists);
                if (!exists)
                {
                    slot = now;
                }

                since = slot;
            }
            else
            {
                sinceByNode.Remove(node.Name);
            }

            var priority = hasEntry ? entry.Priority : 0;
            var holding = hasEntry && entry.Holding;
            var epoch = holding ? entry.Epoch : 0;
            if (last[i] is { } previous && previous.Eligible == eligible && previous.Priority == priority && previous.Holding == holding
                && previous.EligibleSince == since && previous.Live == node.Live && previous.Maintenance == maintenance && previous.Draining == draining
                && previous.Epoch == epoch)
            {
                candidates[i] = previous;
            }
            else
            {
                candidates[i] = last[i] = new ElectionCandidate(node.Name, node.Live, maintenance, draining, eligible, priority, holding, since, epoch);
            }
        }

        return candidates;
    }

    private VipExplanation ExplainLocked(string vip)
    {
        if (!_inputs.TryGetValue(vip, out var input))
        {
            return _indexByName.ContainsKey(vip) && !_settled
                ? new VipExplanation(vip, null, "no owner yet: this node is (re)joining and elects once it has heard the cluster", [], _settleUntil)
                : new VipExplanation(vip, null, "no owner: not a configured VIP", [], null);
        }

        if (input.Override is { } summary)
        {
            return new VipExplanation(vip, null, summary, [], null);
        }

        var explanation = VipElection.Elect(input.Vip, input.Candidates, input.Now, input.Quorum);
        return input.Note is { } note ? explanation with { Summary = $"{explanation.Summary}; {note}" } : explanation;
    }

    private void TrackClaimantsLocked(string vip, ElectionCandidate[] candidates, List<string> reannounce)
    {
        var seen = _claimants.TryGetValue(vip, out var set) ? set : _claimants[vip] = new HashSet<string>(StringComparer.Ordinal);
        var fresh = false;
        var holding = _held.Contains(vip);
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

        // Contested: another node claimed the VIP while this one held it, so both may have announced. When that claim
        // ends (the other yielded, or died), announce again: its last GARPs may have left after ours. A handover to
        // this node (the old holder's claim seen before this node bound the VIP) needs no second burst.
        if (fresh && holding)
        {
            _contested.Add(vip);
        }

        var ended = seen.Count > 0 && !seen.IsSubsetOf(current) && holding && _contested.Contains(vip);
        if (current.Count == 0)
        {
            _contested.Remove(vip);
        }

        _claimants[vip] = current;
        if (fresh || ended)
        {
            reannounce.Add(vip);
        }
    }

    private List<NodeView> SnapshotNodesLocked()
    {
        var members = _membership.Members;
        var nodes = new List<NodeView>(members.Count + 1)
        {
            new(_localName, true, SelfRecordLocked(), null),
        };
        var seen = new HashSet<string>(StringComparer.Ordinal) { _localName };
        foreach (var member in members)
        {
            if (!seen.Add(member.Name))
            {
                continue;
            }

            var record = DecodeLocked(member);
            nodes.Add(new NodeView(member.Name, member.IsLive, record, record is { Lean: true } ? DerivedLocked(member.Name, record) : null));
        }

        return nodes;
    }

    /// <summary>This node's own flags as a record; its per-VIP standing is read from the local state (<see cref="TryEntryLocked"/>).</summary>
    private NodeRecord SelfRecordLocked() =>
        new(_recordVersion, _maintenance, _draining, []) { VipSetDigest = _vipSetDigest, StandingDigest = _model?.Digest ?? 0 };

    /// <summary>
    /// Compares the view with the one the last election saw and marks what must be elected again: every VIP when a
    /// node joined the view (it may outrank any owner) or a record's flags, digests or verdicts changed; only the
    /// affected VIPs when a node left the view (those it owned or claimed) or only its claims or per-VIP entries changed.
    /// </summary>
    private void TrackPeerChangesLocked(List<NodeView> nodes, List<string> reannounce)
    {
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if (node.Name == _localName)
            {
                continue;
            }

            present.Add(node.Name);
            if (!_seen.TryGetValue(node.Name, out var previous))
            {
                if (node.Live)
                {
                    _fullPending = true;
                    ReannounceTakenFromLocked(node.Name, reannounce);
                }
            }
            else if (previous.Live != node.Live)
            {
                if (node.Live)
                {
                    _fullPending = true;
                    ReannounceTakenFromLocked(node.Name, reannounce);
                }
                else
                {
                    MarkNodeGoneLocked(node.Name, previous.Record);
                }
            }
            else if (!ReferenceEquals(previous.Record, node.Record))
            {
                CompareRecordsLocked(previous.Record, node.Record);
            }

            _seen[node.Name] = (node.Live, node.Record);
        }

        foreach (var (name, previous) in _seen.Where(p => !present.Contains(p.Key)).ToList())
        {
            _seen.Remove(name);
            if (previous.Live)
            {
                MarkNodeGoneLocked(name, previous.Record);
            }
        }
    }

    /// <summary>A node left the view: the VIPs it owned or claimed are elected again; its eligibility times are forgotten.</summary>
    private void MarkNodeGoneLocked(string name, NodeRecord? record)
    {
        for (var i = 0; i < _vips.Count; i++)
        {
            if (_owners.GetValueOrDefault(_vips[i].Name) == name || (_claimants.TryGetValue(_vips[i].Name, out var claimants) && claimants.Contains(name)))
            {
                _dirty.Add(i);
            }
        }

        if (record is { Legacy: true })
        {
            _fullPending = true;
        }
        else if (record is not null)
        {
            foreach (var entry in record.Vips)
            {
                if (entry.Holding && _indexByKey.TryGetValue(entry.Key, out var index))
                {
                    _dirty.Add(index);
                }
            }
        }

        foreach (var since in _eligibleSince.Values)
        {
            since.Remove(name);
        }
    }

    /// <summary>A live node published a new record: the VIPs whose entry (claim, eligibility, priority) differs, or all.</summary>
    private void CompareRecordsLocked(NodeRecord? before, NodeRecord? after)
    {
        if (before is null || after is null || before.Legacy || after.Legacy || before.Lean != after.Lean
            || before.Maintenance != after.Maintenance || before.Draining != after.Draining
            || before.VipSetDigest != after.VipSetDigest || before.StandingDigest != after.StandingDigest
            || !before.Verdicts.SequenceEqual(after.Verdicts))
        {
            _fullPending = true;
            return;
        }

        int a = 0, b = 0;
        while (a < before.Vips.Count || b < after.Vips.Count)
        {
            ulong key;
            if (b >= after.Vips.Count || (a < before.Vips.Count && before.Vips[a].Key < after.Vips[b].Key))
            {
                key = before.Vips[a++].Key;
            }
            else if (a >= before.Vips.Count || after.Vips[b].Key < before.Vips[a].Key)
            {
                key = after.Vips[b++].Key;
            }
            else
            {
                var same = before.Vips[a] == after.Vips[b];
                key = before.Vips[a].Key;
                a++;
                b++;
                if (same)
                {
                    continue;
                }
            }

            if (_indexByKey.TryGetValue(key, out var index))
            {
                _dirty.Add(index);
            }
        }
    }

    /// <summary>
    /// What <paramref name="node"/> says, or is derived to say, about the VIP at <paramref name="index"/> of the VIP
    /// list: false when it is neither eligible nor holding (no entry). A lean record gives the claim; the standing is
    /// derived from its verdicts with this node's model (a VIP the model does not know: not eligible).
    /// </summary>
    private bool TryEntryLocked(NodeView node, int index, out NodeVipEntry entry)
    {
        entry = default;
        if (node.Record is not { } record)
        {
            return false;
        }

        var name = _vips[index].Name;
        if (node.Name == _localName)
        {
            var state = _localState.GetValueOrDefault(name);
            var claims = ClaimsLocked(name);
            if (!state.Eligible && !claims)
            {
                return false;
            }

            entry = new NodeVipEntry(_vipIds[name], state.Eligible, (byte)Math.Clamp(state.Priority, 0, 255), claims,
                claims ? _claimEpoch.GetValueOrDefault(name) : 0);
            return true;
        }

        if (record.Legacy)
        {
            return record.TryGet(_legacyIds[name], out entry);
        }

        var key = _vipIds[name];
        if (!record.Lean)
        {
            return record.TryGet(key, out entry);
        }

        var holding = record.TryGet(key, out var claim);
        var slot = index < _modelIndex.Length ? _modelIndex[index] : -1;
        var standing = node.Standing is { } derived && slot >= 0 && slot < derived.Length ? derived[slot] : default;
        if (!standing.Eligible && !holding)
        {
            return false;
        }

        entry = new NodeVipEntry(key, standing.Eligible, standing.Priority, holding, holding ? claim.Epoch : 0);
        return true;
    }

    /// <summary>
    /// Decides whether this node's record must list its standing explicitly: without a usable model, or when a live
    /// peer's standing digest has differed from this node's for <see cref="StandingGrace"/> (it cannot derive this
    /// node's standing; neither can this node derive its). A change is republished from the timer (publishing here,
    /// inside the membership's event delivery, could re-enter it). Returns when to look again.
    /// </summary>
    private DateTimeOffset? TrackStandingDigestsLocked(List<NodeView> nodes, DateTimeOffset now)
    {
        var digest = _model?.Digest ?? 0;
        DateTimeOffset? next = null;
        var wanted = digest == 0;
        foreach (var node in nodes)
        {
            if (node.Name == _localName)
            {
                continue;
            }

            if (!node.Live || node.Record is not { Legacy: false } record || record.StandingDigest == digest)
            {
                _standingDiffersSince.Remove(node.Name);
                continue;
            }

            var since = _standingDiffersSince.TryGetValue(node.Name, out var s) ? s : _standingDiffersSince[node.Name] = now;
            if (now >= since + StandingGrace)
            {
                wanted = true;
            }
            else
            {
                next = Earliest(next, since + StandingGrace);
            }
        }

        foreach (var name in _standingDiffersSince.Keys.Where(n => !nodes.Exists(v => v.Name == n)).ToList())
        {
            _standingDiffersSince.Remove(name);
        }

        if (wanted != _explicitWanted)
        {
            _explicitWanted = wanted;
            _republish = true;
        }

        // A pending republication keeps the timer due (a later election must not push it out).
        return _republish ? Earliest(next, now) : next;
    }

    /// <summary>
    /// Fixes the takeover epoch of every VIP this node starts to want: one more than the highest epoch it has seen for
    /// the VIP, so its claim outranks every claim it knows of (<see cref="VipElection"/>: several holders resolve to the
    /// highest epoch). A VIP it stops wanting forgets its epoch (the next takeover gets a new one).
    /// </summary>
    private void AssignEpochsLocked(IReadOnlySet<string> previous, HashSet<string> next)
    {
        foreach (var name in previous)
        {
            if (!next.Contains(name))
            {
                _claimEpoch.Remove(name);
                _takenFrom.Remove(name);
            }
        }

        foreach (var name in next)
        {
            if (previous.Contains(name) || !_vipIds.TryGetValue(name, out var key))
            {
                continue;
            }

            var seen = _epochSeen.GetValueOrDefault(key);
            var epoch = seen == uint.MaxValue ? seen : seen + 1;
            _epochSeen[key] = epoch;
            _claimEpoch[name] = epoch;
        }
    }

    /// <summary>
    /// At a takeover: remembers the nodes out of this node's view (dead, left) whose last record still claimed the VIP.
    /// Such a node may still hold and announce it (frozen, cut off), and a client may still point at it. When it is
    /// live again it yields to this node's later epoch, perhaps before this node ever sees its claim (it hears this
    /// node's claim first), so this node announces again then (<see cref="ReannounceTakenFromLocked"/>).
    /// </summary>
    private void NoteTakenFromLocked(string vip, ElectionCandidate[] candidates)
    {
        List<string>? from = null;
        foreach (var c in candidates)
        {
            if (!c.Live && c.Holding && c.Name != _localName)
            {
                (from ??= []).Add(c.Name);
            }
        }

        if (from is null)
        {
            _takenFrom.Remove(vip);
        }
        else
        {
            _takenFrom[vip] = from;
        }
    }

    /// <summary>A node this node took VIPs from is live again: announce those VIPs again, once (see <see cref="NoteTakenFromLocked"/>).</summary>
    private void ReannounceTakenFromLocked(string node, List<string> reannounce)
    {
        if (_takenFrom.Count == 0)
        {
            return;
        }

        foreach (var (vip, from) in _takenFrom)
        {
            if (from.Remove(node) && ClaimsLocked(vip))
            {
                reannounce.Add(vip);
            }
        }
    }

    /// <summary>Remembers the highest takeover epoch of each claim in <paramref name="record"/> (a newly decoded one) of a VIP this node knows.</summary>
    private void NoteEpochsLocked(NodeRecord record)
    {
        foreach (var entry in record.Vips)
        {
            if (entry.Holding && entry.Epoch > _epochSeen.GetValueOrDefault(entry.Key) && _indexByKey.ContainsKey(entry.Key))
            {
                _epochSeen[entry.Key] = entry.Epoch;
            }
        }
    }

    /// <summary>
    /// Whether this node claims <paramref name="vip"/>: it holds the address and still wants it. An address the
    /// announcer still holds after the election gave the VIP up (its removal, or an add that finishes after the
    /// release) is no claim: peers would see a claimant that does not want it, and this node, counting itself as a
    /// holder in its own view, would take back the VIP it has just yielded (the dual-claim flapping with preempt off).
    /// </summary>
    private bool ClaimsLocked(string vip) => _held.Contains(vip) && _desired.Contains(vip);

    private NodeRecord? DecodeLocked(Member member)
    {
        var span = member.Metadata.Span;
        if (_records.TryGetValue(member.Name, out var cached) && span.SequenceEqual(cached.Bytes))
        {
            return cached.Record;
        }

        if (!NodeRecordCodec.TryDecode(span, out var record, out var error) && error != NodeRecordError.Empty)
        {
            Interlocked.Increment(ref _badRecords);
            _logger.BadRecord(member.Name, error);
        }

        if (record is { Legacy: true } && _legacyLogged.Add(member.Name))
        {
            _logger.LegacyMember(member.Name);
        }

        if (record is { Legacy: false })
        {
            NoteEpochsLocked(record);
        }

        _records[member.Name] = (span.ToArray(), record);
        return record;
    }

    /// <summary>True when every live peer publishes the same VIP set digest as this node (a 0.1 node has none: false).</summary>
    private bool PeersKnowOurVipsLocked(List<NodeView> nodes)
    {
        foreach (var node in nodes)
        {
            if (node.Name != _localName && node.Live && (node.Record is null || node.Record.Legacy || node.Record.VipSetDigest != _vipSetDigest))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The lowest-named live peer, below this node's name, that claims <paramref name="vip"/> while its VIP set digest
    /// differs from this node's (their configs disagree, or one of them is still learning a change), if any. A claimant
    /// that says it gives the VIP up (draining, in maintenance, or an explicit entry "not eligible") does not count: it
    /// does not elect itself in its own view either, so it releases once the owner claims, and keeping the VIP there
    /// would only hold a drain or a failed check until the handover timeout.
    /// </summary>
    private string? DisagreeingClaimantLocked(string vip, List<NodeView> nodes)
    {
        string? lowest = null;
        foreach (var node in nodes)
        {
            if (node.Name != _localName && node.Live && node.Record is { Legacy: false, Draining: false, Maintenance: false } record
                && record.VipSetDigest != _vipSetDigest
                && string.CompareOrdinal(node.Name, _localName) < 0 && (lowest is null || string.CompareOrdinal(node.Name, lowest) < 0)
                && record.TryGet(_vipIds[vip], out var entry) && entry.Holding && (record.Lean || entry.Eligible))
            {
                lowest = node.Name;
            }
        }

        return lowest;
    }

    /// <summary>
    /// Logs, once per episode, a live peer whose VIP set digest has differed from this node's for longer than
    /// <see cref="DisagreementReported"/> (a change takes milliseconds to spread: longer is a config disagreement).
    /// Returns when to look again.
    /// </summary>
    private DateTimeOffset? TrackDisagreementsLocked(List<NodeView> nodes, DateTimeOffset now)
    {
        DateTimeOffset? next = null;
        foreach (var node in nodes)
        {
            if (node.Name == _localName)
            {
                continue;
            }

            var differs = node.Live && node.Record is { Legacy: false } record && record.VipSetDigest != _vipSetDigest;
            if (!differs)
            {
                _disagreeingSince.Remove(node.Name);
                _disagreementLogged.Remove(node.Name);
                continue;
            }

            var since = _disagreeingSince.TryGetValue(node.Name, out var s) ? s : _disagreeingSince[node.Name] = now;
            if (now >= since + DisagreementReported)
            {
                if (_disagreementLogged.Add(node.Name))
                {
                    _logger.ConfigsDisagree(node.Name, (long)(now - since).TotalMilliseconds);
                }
            }
            else
            {
                next = Earliest(next, since + DisagreementReported);
            }
        }

        return next;
    }

    /// <summary>The peers whose VIP configuration differs from this node's now, for explain and metrics.</summary>
    public IReadOnlyList<string> DisagreeingPeers
    {
        get
        {
            lock (_lock)
            {
                return [.. _disagreementLogged.Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>The first live 0.1 node (by name) that claims <paramref name="vip"/>, if any.</summary>
    private string? LegacyHolderLocked(string vip, List<NodeView> nodes)
    {
        foreach (var node in nodes)
        {
            if (node.Live && node.Record is { Legacy: true } record && record.TryGet(_legacyIds[vip], out var entry) && entry.Holding)
            {
                return node.Name;
            }
        }

        return null;
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

    /// <summary>One node in an election: its record and, for a lean record, its standing derived with this node's model.</summary>
    private sealed record NodeView(string Name, bool Live, NodeRecord? Record, LocalStanding[]? Standing);

    /// <summary>What one VIP's last election ran on, so <see cref="Explain"/> can rebuild the explanation on demand.</summary>
    private sealed record ElectionInput(VipSpec Vip, ElectionCandidate[] Candidates, DateTimeOffset Now, QuorumState Quorum, string? Override, string? Note);
}
