using Vipd.Core.Wire;

namespace Vipd.Core.Membership;

/// <summary>Member state changes (memberlist <c>state.go</c> rules): alive, suspect, dead, refutation.</summary>
public sealed partial class SwimMembership
{
    private void HandleAlive(AliveMessage alive, string? sender)
    {
        if (!IncarnationInRange(alive.Incarnation, alive.Name))
        {
            return;
        }

        if (string.Equals(alive.Name, _name, StringComparison.Ordinal))
        {
            // Someone holds a newer alive about us than we do (a previous process of ours): outrank it.
            if (alive.Incarnation > _local.Incarnation
                || (alive.Incarnation == _local.Incarnation && !alive.Address.Equals(_local.Address)))
            {
                if (!alive.Address.Equals(_local.Address) && LogOncePerMinute(ref _lastConflictLog))
                {
                    // Two live processes with one name outbid each other's incarnation for ever: say so.
                    _logger.NameConflict(_name, alive.Address);
                }

                Refute(MemberState.Alive, alive.Incarnation, sender);
            }

            return;
        }

        if (!_members.TryGetValue(alive.Name, out var record))
        {
            if (_members.Count >= _options.MaxMembers)
            {
                Drop(DropReason.MemberTableFull, _source);
                if (LogOncePerMinute(ref _lastTableFullLog))
                {
                    _logger.MemberTableFull(_options.MaxMembers, alive.Name, alive.Address);
                }

                return;
            }

            record = new MemberRecord(alive.Name, alive.Address, MemberState.Alive, alive.Incarnation, alive.Metadata)
            {
                StateChangedAt = _time.GetTimestamp(),
            };
            _members[alive.Name] = record;
            ResolveInline(record);
            AddToProbeList(record);
            _logger.MemberJoined(record.Name, record.Address, record.Incarnation);
            _broadcasts.Enqueue(alive.Name, alive);
            RaiseChanged(record);
            return;
        }

        if (alive.Incarnation <= record.Incarnation)
        {
            return;
        }

        var wasState = record.State;
        var metadataChanged = !record.Metadata.Span.SequenceEqual(alive.Metadata.Span) || !record.Address.Equals(alive.Address);
        record.Incarnation = alive.Incarnation;
        record.Address = alive.Address;
        record.Metadata = alive.Metadata;
        ResolveInline(record);

        ClearSuspicion(record);
        record.State = MemberState.Alive;
        _broadcasts.Enqueue(alive.Name, alive);
        _snapshot = null;
        if (wasState != MemberState.Alive)
        {
            record.StateChangedAt = _time.GetTimestamp();
            _logger.MemberStateChanged(record.Name, MemberState.Alive, record.Incarnation);
            RaiseChanged(record);
        }
        else if (metadataChanged)
        {
            RaiseChanged(record);
        }
    }

    private void HandleSuspect(SuspectMessage suspect, string? sender)
    {
        if (!IncarnationInRange(suspect.Incarnation, suspect.Name))
        {
            return;
        }

        if (string.Equals(suspect.Name, _name, StringComparison.Ordinal))
        {
            if (suspect.Incarnation >= _local.Incarnation)
            {
                Refute(MemberState.Suspect, suspect.Incarnation, sender);
            }
            else if (sender is not null)
            {
                // Already refuted, but this sender has not heard: answer it directly (cheap, and it races its timer).
                Reply(sender, LocalAlive());
            }

            return;
        }

        if (!_members.TryGetValue(suspect.Name, out var record) || suspect.Incarnation < record.Incarnation)
        {
            return;
        }

        if (record.State == MemberState.Suspect)
        {
            if (record.Suspicion?.Confirm(suspect.From) == true)
            {
                _broadcasts.Enqueue(suspect.Name, suspect);
            }

            return;
        }

        if (record.State != MemberState.Alive)
        {
            return;
        }

        record.Incarnation = suspect.Incarnation;
        record.State = MemberState.Suspect;
        record.StateChangedAt = _time.GetTimestamp();
        var n = LiveCount();
        var k = n - 2 < _options.SuspicionConfirmations ? 0 : _options.SuspicionConfirmations;
        var min = _options.SuspicionMinimum * Math.Max(1.0, Math.Log10(Math.Max(1, n)));
        var max = min * _options.SuspicionMaximumMultiplier;
        var incarnation = suspect.Incarnation;
        record.Suspicion = new Suspicion(suspect.From, k, min, max, _time,
            () => RunTimer(s => s.OnSuspicionTimeout(record, incarnation)));
        _suspects.Add(record);
        _logger.MemberSuspected(record.Name, suspect.From, incarnation);
        _broadcasts.Enqueue(suspect.Name, suspect);
        RaiseChanged(record);

        // Tell the suspect at once, so that it can refute before the timer runs out (see OnGossipTick).
        Send(new SuspectMessage(incarnation, record.Name, _name), record);
        if (sender is null)
        {
            // Our own finding: spread it now rather than at the next gossip tick.
            GossipRound();
        }
    }

    private void OnSuspicionTimeout(MemberRecord record, uint incarnation)
    {
        if (_members.TryGetValue(record.Name, out var current) && current == record
            && record.State == MemberState.Suspect && record.Incarnation == incarnation)
        {
            HandleDead(new DeadMessage(incarnation, record.Name, _name), sender: null);
        }
    }

    private void HandleDead(DeadMessage dead, string? sender)
    {
        if (!IncarnationInRange(dead.Incarnation, dead.Name))
        {
            return;
        }

        if (string.Equals(dead.Name, _name, StringComparison.Ordinal))
        {
            if (dead.Incarnation >= _local.Incarnation)
            {
                Refute(dead.IsLeave ? MemberState.Left : MemberState.Dead, dead.Incarnation, sender);
            }
            else if (sender is not null)
            {
                Reply(sender, LocalAlive());
            }

            return;
        }

        if (!_members.TryGetValue(dead.Name, out var record) || dead.Incarnation < record.Incarnation
            || record.State is MemberState.Dead or MemberState.Left)
        {
            return;
        }

        record.Incarnation = dead.Incarnation;
        record.State = dead.IsLeave ? MemberState.Left : MemberState.Dead;
        record.StateChangedAt = _time.GetTimestamp();
        ClearSuspicion(record);
        _logger.MemberStateChanged(record.Name, record.State, record.Incarnation);
        _broadcasts.Enqueue(dead.Name, dead);
        RaiseChanged(record);
        if (sender is null)
        {
            GossipRound();
        }
    }

    /// <summary>
    /// Whether an incarnation gossiped about <paramref name="name"/> is at most this node's clock (Unix seconds) plus
    /// <see cref="MembershipOptions.MaxIncarnationLead"/>; if not it is dropped, counted and logged (once a minute), so
    /// that no claim can push an incarnation (this node's, through a refutation, included) to where it would wrap.
    /// </summary>
    private bool IncarnationInRange(uint incarnation, string name)
    {
        var now = Math.Clamp(_time.GetUtcNow().ToUnixTimeSeconds(), 0, uint.MaxValue);
        var ceiling = (uint)Math.Min(uint.MaxValue - 1L, now + (long)_options.MaxIncarnationLead);
        if (incarnation <= ceiling)
        {
            return true;
        }

        Drop(DropReason.IncarnationOutOfRange, _source);
        if (LogOncePerMinute(ref _lastIncarnationLog))
        {
            _logger.IncarnationOutOfRange(name, incarnation, ceiling);
        }

        return false;
    }

    /// <summary>Outranks a claim about this node with a higher incarnation, broadcast and sent back to the claimant.</summary>
    private void Refute(MemberState claimed, uint incarnation, string? sender)
    {
        // No wrap: claims above the ceiling (below uint.MaxValue - 1) were dropped by IncarnationInRange.
        _local.Incarnation = Math.Max(_local.Incarnation, incarnation) + 1;
        _logger.Refuted(claimed, incarnation, _local.Incarnation);
        if (claimed is MemberState.Suspect or MemberState.Dead)
        {
            // Being suspected is a hint that our own links or scheduling are slow (Lifeguard).
            ApplyHealthDelta(1);
        }

        BroadcastLocalAlive();
        _snapshot = null;
        if (sender is not null && !string.Equals(sender, _name, StringComparison.Ordinal))
        {
            Reply(sender, LocalAlive());
        }
    }

    private bool LogOncePerMinute(ref long last)
    {
        var now = _time.GetTimestamp();
        if (last != 0 && _time.GetElapsedTime(last, now) < TimeSpan.FromMinutes(1))
        {
            return false;
        }

        last = now;
        return true;
    }

    private AliveMessage LocalAlive() => new(_local.Incarnation, _name, _local.Address, _local.Metadata);

    private void BroadcastLocalAlive()
    {
        _broadcasts.Enqueue(_name, LocalAlive());
        _snapshot = null;
    }

    private void ClearSuspicion(MemberRecord record)
    {
        record.Suspicion?.Dispose();
        record.Suspicion = null;
        _suspects.Remove(record);
    }
}
