using System.Net;
using Vipd.Core.Wire;

namespace Vipd.Core.Membership;

/// <summary>Probing: direct ping, then indirect pings through k members with nacks (Lifeguard), then suspicion.</summary>
public sealed partial class SwimMembership
{
    /// <summary>Lifeguard local health: 0 is healthy; timeouts scale by (score + 1).</summary>
    internal int HealthScore
    {
        get
        {
            lock (_lock)
            {
                return _awareness;
            }
        }
    }

    private void OnProbeTick()
    {
        if (_left || _probe is not null)
        {
            // A probe whose timeouts were scaled up by poor local health is still running.
            return;
        }

        var target = NextProbeTarget();
        if (target is null)
        {
            return;
        }

        var sequence = NextSequence();
        _probe = new ProbeState(target, sequence);
        _pendingAcks[sequence] = new PendingAck();
        Send(new PingMessage(sequence, target.Name, _name, _local.Incarnation), target.Address);
        _probePhaseTimer?.Change(ScaleByHealth(_options.ProbeTimeout), Timeout.InfiniteTimeSpan);
    }

    private void OnProbePhase()
    {
        var probe = _probe;
        if (probe is null)
        {
            return;
        }

        if (!probe.Indirect)
        {
            probe.Indirect = true;
            var target = probe.Target;
            var helpers = PickRandomMembers(_options.IndirectChecks, m => m.State == MemberState.Alive && m != target);
            var request = new IndirectPingMessage(probe.Sequence, target.Name, target.Address, WantNack: true);
            foreach (var helper in helpers)
            {
                Send(request, helper.Address);
            }

            probe.ExpectedNacks = helpers.Count;

            // Also ping again directly: one lost datagram should not be what makes a member suspect.
            Send(new PingMessage(probe.Sequence, target.Name, _name, _local.Incarnation), target.Address);
            _probePhaseTimer?.Change(ScaleByHealth(_options.IndirectProbeTimeout), Timeout.InfiniteTimeSpan);
            return;
        }

        // The probe failed. Missing nacks mean our own links may be the problem (Lifeguard).
        _probe = null;
        _pendingAcks.Remove(probe.Sequence);
        var delta = probe.ExpectedNacks > 0 ? probe.ExpectedNacks - probe.Nacks : 1;
        ApplyHealthDelta(delta);
        var record = probe.Target;
        // Already suspect (someone else's finding): our failed probe is an independent confirmation (Lifeguard).
        if (_members.TryGetValue(record.Name, out var current) && current == record && record.IsLive)
        {
            HandleSuspect(new SuspectMessage(record.Incarnation, record.Name, _name), from: null);
        }
    }

    private void HandlePing(PingMessage ping, IPEndPoint from)
    {
        if (!string.Equals(ping.Target, _name, StringComparison.Ordinal))
        {
            Drop(DropReason.WrongTarget, from);
            return;
        }

        // Anti-entropy on every probe: the ping says which incarnation of its sender is current.
        WireMessage? extra = null;
        if (!_members.TryGetValue(ping.Source, out var sender) || sender.Incarnation < ping.SourceIncarnation)
        {
            extra = new AliveRequestMessage(ping.Source);
        }
        else if (sender.State is MemberState.Dead or MemberState.Left)
        {
            // It probes us, so it runs: tell it what we hold, and it refutes with a higher incarnation.
            extra = new DeadMessage(sender.Incarnation, sender.Name, sender.State == MemberState.Left ? sender.Name : _name);
        }

        Send(new AckMessage(ping.Sequence), from, extra: extra);
    }

    private void HandleAliveRequest(AliveRequestMessage request, IPEndPoint from)
    {
        if (!string.Equals(request.Target, _name, StringComparison.Ordinal))
        {
            Drop(DropReason.WrongTarget, from);
            return;
        }

        Send(LocalAlive(), from);
    }

    private void HandleIndirectPing(IndirectPingMessage request, IPEndPoint from)
    {
        var sequence = NextSequence();
        var pending = new PendingAck { Requester = from, RequesterSequence = request.Sequence, WantNack = request.WantNack };
        pending.Timer = _time.CreateTimer(static state =>
        {
            var (self, seq) = ((SwimMembership, uint))state!;
            self.RunTimer(s => s.OnRelayTimeout(seq));
        }, (this, sequence), _options.ProbeTimeout, Timeout.InfiniteTimeSpan);
        _pendingAcks[sequence] = pending;
        Send(new PingMessage(sequence, request.Target, _name, _local.Incarnation), request.TargetAddress);
    }

    private void OnRelayTimeout(uint sequence)
    {
        if (_pendingAcks.Remove(sequence, out var pending) && pending.Requester is not null)
        {
            pending.Timer?.Dispose();
            if (pending.WantNack)
            {
                Send(new NackMessage(pending.RequesterSequence), pending.Requester);
            }
        }
    }

    private void HandleAck(uint sequence)
    {
        if (!_pendingAcks.Remove(sequence, out var pending))
        {
            return;
        }

        if (pending.Requester is not null)
        {
            pending.Timer?.Dispose();
            Send(new AckMessage(pending.RequesterSequence), pending.Requester);
            return;
        }

        if (_probe is { } probe && probe.Sequence == sequence)
        {
            _probe = null;
            _probePhaseTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            ApplyHealthDelta(-1);
        }
    }

    private void HandleNack(uint sequence)
    {
        if (_probe is { } probe && probe.Sequence == sequence)
        {
            probe.Nacks++;
        }
    }

    private void ApplyHealthDelta(int delta) =>
        _awareness = Math.Clamp(_awareness + delta, 0, _options.AwarenessMaxMultiplier - 1);

    private TimeSpan ScaleByHealth(TimeSpan timeout) => timeout * (_awareness + 1);

    /// <summary>Randomized round robin (SWIM): walk a shuffled list, reshuffle at the end; skip dead and left members.</summary>
    private MemberRecord? NextProbeTarget()
    {
        for (var checkedCount = 0; checkedCount <= _probeList.Count; checkedCount++)
        {
            if (_probeIndex >= _probeList.Count)
            {
                _probeIndex = 0;
                Shuffle(_probeList);
                if (_probeList.Count == 0)
                {
                    return null;
                }
            }

            var candidate = _probeList[_probeIndex++];
            if (candidate.IsLive)
            {
                return candidate;
            }
        }

        return null;
    }

    private void Shuffle(List<MemberRecord> list)
    {
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = _random.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }

    /// <summary>Up to <paramref name="count"/> distinct random members other than this node that match.</summary>
    private List<MemberRecord> PickRandomMembers(int count, Func<MemberRecord, bool> predicate)
    {
        var picked = new List<MemberRecord>(count);
        if (count <= 0 || _probeList.Count == 0)
        {
            return picked;
        }

        // Reservoir sampling over the probe list (every member but this node).
        var seen = 0;
        foreach (var member in _probeList)
        {
            if (!predicate(member))
            {
                continue;
            }

            seen++;
            if (picked.Count < count)
            {
                picked.Add(member);
            }
            else if (_random.Next(seen) is var slot && slot < count)
            {
                picked[slot] = member;
            }
        }

        return picked;
    }
}
