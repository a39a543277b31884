using System.Net;
using Vipd.Core.Crypto;
using Vipd.Core.Wire;

namespace Vipd.Core.Membership;

/// <summary>Dissemination: gossip rounds, push/pull anti-entropy, joining, and forgetting the dead.</summary>
public sealed partial class SwimMembership
{
    private readonly List<MemberRecord> _reclaim = [];
    private readonly HashSet<MemberRecord> _suspects = [];
    private long _lastReclaim;
    private long _lastReconnect;
    private int _reconnectCursor;
    private bool _pingedByStranger;

    private void OnGossipTick()
    {
        ReclaimDead();
        GossipRound();
        RetryFetches();
        if (!_left && _joined)
        {
            // Before the first join the seeds are retried with the join backoff instead.
            Reconnect();
        }

        if (_left)
        {
            if (_broadcasts.Count == 0)
            {
                _gossipTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }

            return;
        }

        // Keep telling each suspect that it is suspected until it refutes or the timer runs out: one lost
        // datagram of the suspicion or of the refutation must not turn into a false death.
        foreach (var record in _suspects)
        {
            if (record.State == MemberState.Suspect)
            {
                Send(new SuspectMessage(record.Incarnation, record.Name, _name), record);
            }
        }
    }

    /// <summary>Sends queued broadcasts to up to GossipFanout random live members (nothing when idle).</summary>
    private void GossipRound()
    {
        if (_broadcasts.Count == 0)
        {
            return;
        }

        var limit = TransmitLimit();
        foreach (var target in PickRandomMembers(_options.GossipFanout, m => m.IsLive))
        {
            var length = _broadcasts.Fill(_plaintext, limit);
            if (length == 0)
            {
                break;
            }

            SealToOutbox(length, target.Address, target.RecipientId);
        }
    }

    private void ReclaimDead()
    {
        // Once a second is precise enough for a 30 s reclaim time, and keeps the per-tick cost independent of n.
        var now = _time.GetTimestamp();
        if (_lastReclaim != 0 && _time.GetElapsedTime(_lastReclaim, now) < TimeSpan.FromSeconds(1))
        {
            return;
        }

        _lastReclaim = now;
        _reclaim.Clear();
        foreach (var record in _probeList)
        {
            if (!record.IsLive && _time.GetElapsedTime(record.StateChangedAt) >= _options.DeadReclaimTime)
            {
                _reclaim.Add(record);
            }
        }

        foreach (var record in _reclaim)
        {
            _members.Remove(record.Name);
            var index = _probeList.IndexOf(record);
            _probeList.RemoveAt(index);
            if (index < _probeIndex)
            {
                _probeIndex--;
            }

            _snapshot = null;
        }
    }

    /// <summary>Push/pull interval, scaled linearly above the threshold so bytes per node stay flat as n grows.</summary>
    private TimeSpan PushPullDelay()
    {
        var n = LiveCount();
        var scale = Math.Max(1.0, (double)n / _options.PushPullScaleThreshold);

        // Jitter by +-10 % so nodes do not synchronise their exchanges.
        return _options.PushPullInterval * scale * (0.9 + (0.2 * _random.NextDouble()));
    }

    private void OnPushPullTick()
    {
        _pushPullTimer?.Change(PushPullDelay(), Timeout.InfiniteTimeSpan);
        if (_left)
        {
            return;
        }

        var live = PickRandomMembers(1, m => m.IsLive);
        if (live.Count > 0)
        {
            SendPushPull(live[0], isReply: false, isJoin: false);
        }

        // Gossip to the dead (memberlist): if it only looked dead behind a partition, the exchange heals the split.
        var dead = PickRandomMembers(1, m => m.State == MemberState.Dead);
        if (dead.Count > 0)
        {
            SendPushPull(dead[0], isReply: false, isJoin: false);
        }

        // Seeds that are not live members: after a long partition everything about the other side may be forgotten.
        foreach (var seed in _seeds)
        {
            if (!IsLiveAddress(seed))
            {
                SendPushPullToSeed(seed, isJoin: false);
            }
        }
    }

    /// <summary>
    /// Once per <see cref="MembershipOptions.ReconnectInterval"/>: push/pull with one member that looks dead or one
    /// seed that is not live, in turn. Behind a healed partition both sides think the other dead; this merges them
    /// in about a second. Nothing is sent while every member and seed is live. A ping from a key holder not in the
    /// table (its alive's gossip ran out before it reached this node) asks one live member for the full state first.
    /// </summary>
    private void Reconnect()
    {
        var now = _time.GetTimestamp();
        if (_lastReconnect != 0 && _time.GetElapsedTime(_lastReconnect, now) < _options.ReconnectInterval)
        {
            return;
        }

        _lastReconnect = now;
        if (_pingedByStranger)
        {
            _pingedByStranger = false;
            var live = PickRandomMembers(1, m => m.IsLive);
            if (live.Count > 0)
            {
                SendPushPull(live[0], isReply: false, isJoin: false);
                return;
            }
        }

        var dead = PickRandomMembers(1, m => m.State == MemberState.Dead);
        var seeds = _seeds.Where(s => !IsLiveAddress(s)).ToArray();
        var candidates = dead.Count + seeds.Length;
        if (candidates == 0)
        {
            return;
        }

        var pick = _reconnectCursor++ % candidates;
        if (pick < dead.Count)
        {
            SendPushPull(dead[0], isReply: false, isJoin: false);
        }
        else
        {
            SendPushPullToSeed(seeds[pick - dead.Count], isJoin: false);
        }
    }

    private bool IsLiveAddress(IPEndPoint address)
    {
        foreach (var record in _probeList)
        {
            if (record.IsLive && record.Address.Equals(address))
            {
                return true;
            }
        }

        return false;
    }

    private void SendJoin()
    {
        foreach (var seed in _seeds)
        {
            SendPushPullToSeed(seed, isJoin: true);
        }
    }

    private void OnJoinTick()
    {
        if (_joined || _left)
        {
            return;
        }

        _joinAttempt++;
        SendJoin();
        var delay = _options.JoinRetryMinimum * Math.Pow(2, Math.Min(_joinAttempt, 20));
        if (delay > _options.JoinRetryMaximum)
        {
            delay = _options.JoinRetryMaximum;
        }

        _logger.JoinRetry(_joinAttempt, delay.TotalMilliseconds);
        _joinTimer?.Change(delay, Timeout.InfiniteTimeSpan);
    }

    private void SendPushPull(MemberRecord member, bool isReply, bool isJoin) =>
        SendPushPull(member.Address, member.RecipientId, isReply, isJoin);

    /// <summary>
    /// A push/pull to a seed address whose node name is not known: sealed for <see cref="DatagramProtector.AnyRecipient"/>,
    /// which a receiver accepts for a non-reply push/pull only, so nothing else rides along (no piggyback).
    /// </summary>
    private void SendPushPullToSeed(IPEndPoint seed, bool isJoin) =>
        SendPushPull(seed, DatagramProtector.AnyRecipient, isReply: false, isJoin);

    /// <summary>
    /// Sends this node's full member table, split into as many datagrams as needed (at most
    /// <see cref="MembershipOptions.MaxMembers"/> entries, so an answer is bounded). This node's own entry goes first.
    /// </summary>
    private void SendPushPull(IPEndPoint destination, ulong recipient, bool isReply, bool isJoin)
    {
        var piggyback = recipient != DatagramProtector.AnyRecipient;
        var entries = new List<PushPullEntry>();
        var size = WireFormat.FrameHeaderSize + 2;
        var continuation = false;
        foreach (var record in _members.Values)
        {
            var entry = new PushPullEntry(record.Name, record.Address, record.Incarnation, record.State, record.Metadata);
            var entrySize = MessageCodec.GetEntrySize(entry);
            if (entries.Count == byte.MaxValue || size + entrySize > _capacity)
            {
                Send(new PushPullMessage(isReply, isJoin, entries) { IsContinuation = continuation }, destination, recipient, piggyback);
                continuation = true;
                entries = [];
                size = WireFormat.FrameHeaderSize + 2;
            }

            entries.Add(entry);
            size += entrySize;
        }

        if (entries.Count > 0)
        {
            Send(new PushPullMessage(isReply, isJoin, entries) { IsContinuation = continuation }, destination, recipient, piggyback);
        }
    }

    private void HandlePushPull(PushPullMessage message, string sender)
    {
        foreach (var entry in message.Entries)
        {
            switch (entry.State)
            {
                case MemberState.Alive:
                    HandleAlive(new AliveMessage(entry.Incarnation, entry.Name, entry.Address, entry.Metadata), sender);
                    break;
                case MemberState.Suspect:
                    HandleSuspect(new SuspectMessage(entry.Incarnation, entry.Name, _name), sender);
                    break;
                case MemberState.Dead:
                    // A remote "dead" may be stale: suspect instead, so the member gets its chance to refute (memberlist).
                    HandleSuspect(new SuspectMessage(entry.Incarnation, entry.Name, _name), sender);
                    break;
                case MemberState.Left:
                    HandleDead(new DeadMessage(entry.Incarnation, entry.Name, entry.Name), sender);
                    break;
                default:
                    break;
            }
        }

        if (message.IsReply)
        {
            if (!_joined)
            {
                _joined = true;
                _joinTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _logger.Joined(Peer(sender)?.Address ?? _source);
            }

            return;
        }

        // Answer only the first part of a multi-datagram push: its sender gets our whole table once per exchange, at
        // the address its own entry gave (never at the UDP source).
        if (!message.IsContinuation)
        {
            if (Peer(sender) is { } peer)
            {
                SendPushPull(peer, isReply: true, isJoin: false);
            }
            else
            {
                Drop(DropReason.UnknownSender, _source);
            }
        }
    }
}
