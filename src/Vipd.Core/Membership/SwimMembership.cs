using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vipd.Core.Crypto;
using Vipd.Core.Net;
using Vipd.Core.Wire;

namespace Vipd.Core.Membership;

/// <summary>
/// SWIM membership with the Lifeguard refinements, after hashicorp/memberlist: randomized round-robin probing,
/// indirect probes with nacks, suspicion that shrinks with confirmations, incarnations and refutation, piggybacked
/// retransmit-limited broadcasts, periodic push/pull and explicit leave. Every datagram is sealed with AES-GCM.
/// Synchronous: datagrams and timer callbacks mutate state under one lock; datagrams are sent and
/// <see cref="Changed"/> raised after the lock is released.
/// <para>
/// Where it differs from memberlist, for fast LAN failover without false deaths: a failed direct ping is retried
/// alongside the indirect ones (UDP only, no TCP fallback); every suspector tells the suspect directly, once per
/// gossip interval, until it refutes (the suspect answers a stale suspicion with its current alive), so a lost
/// datagram does not become a false death even with a 100 ms suspicion; the probe order is shuffled once (new members
/// at random places) and kept, not reshuffled each round, so each member is probed every n - 1 intervals; the push/pull interval grows linearly
/// above 32 members so bytes per node stay flat; seeds that are not live members are pushed to at every push/pull
/// round, which heals a partition that outlasted the dead-member reclaim time; every ping carries its sender's
/// incarnation, so a receiver that missed the sender's gossip (new metadata) asks for its alive, and one that holds
/// the sender dead tells it so it refutes at once; the incarnation starts at the boot time in Unix seconds, so a
/// restarted process outranks its predecessor's alive, dead or left record.
/// </para>
/// </summary>
public sealed partial class SwimMembership : IMembership, IDisposable
{
    private readonly Dictionary<string, DateTimeOffset> _heard = new(StringComparer.Ordinal);
    private readonly HashSet<IPAddress> _legacyLogged = [];
    private readonly Lock _lock = new();
    private readonly Lock _flushLock = new();
    private readonly string _name;
    private readonly MembershipOptions _options;
    private readonly ITransport _transport;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly ILogger _logger;
    private readonly DatagramProtector _protector;
    private readonly MemberRecord _local;
    private readonly Dictionary<string, MemberRecord> _members = new(StringComparer.Ordinal);
    private readonly List<MemberRecord> _probeList = [];
    private readonly BroadcastQueue _broadcasts = new();
    private readonly Dictionary<uint, PendingAck> _pendingAcks = [];
    private readonly List<WireMessage> _decoded = [];
    private readonly byte[] _plaintext;
    private readonly byte[] _opened = new byte[WireFormat.MaxDatagramSize];
    private readonly int _capacity;
    private List<(byte[] Buffer, int Length, IPEndPoint Destination)> _outbox = [];
    private List<Member> _events = [];
    private IReadOnlyList<Member>? _snapshot;
    private IPEndPoint[] _seeds = [];
    private ITimer? _probeTimer;
    private ITimer? _probePhaseTimer;
    private ITimer? _gossipTimer;
    private ITimer? _pushPullTimer;
    private ITimer? _joinTimer;
    private ProbeState? _probe;
    private int _probeIndex;
    private uint _sequence;
    private int _awareness;
    private int _joinAttempt;
    private bool _started;
    private bool _joined;
    private bool _left;
    private bool _disposed;
    private long _lastDropLog = long.MinValue;
    private long _suppressedDrops;
    private long _lastConflictLog;
    private long _lastLegacyLog;
    private long _lastTableFullLog;
    private long _lastIncarnationLog;
    private IPEndPoint _source = new(IPAddress.None, 0);
    private long _timerRuns;

    /// <summary>Creates a stopped member; <see cref="Start"/> joins.</summary>
    /// <param name="name">This node's unique name (1..128 UTF-8 bytes).</param>
    /// <param name="advertise">Where peers reach this node's gossip.</param>
    /// <param name="options">Timings; see <see cref="MembershipOptions.Default"/>.</param>
    /// <param name="transport">Sends datagrams; received ones come in through <see cref="OnDatagram"/>.</param>
    /// <param name="keyring">Cluster keys: seal with the primary, open with any.</param>
    /// <param name="time">Clock and timers.</param>
    /// <param name="random">Probe order and gossip targets (seeded in simulations).</param>
    /// <param name="logger">Optional logger.</param>
    public SwimMembership(string name, IPEndPoint advertise, MembershipOptions options, ITransport transport, Keyring keyring,
        TimeProvider time, Random random, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(advertise);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(keyring);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(random);
        if (!WireFormat.IsValidName(name))
        {
            throw new ArgumentException($"A node name is 1 to {WireFormat.MaxNameBytes} printable ASCII characters ('!' to '~').", nameof(name));
        }

        options.Validate();
        _name = name;
        _options = options;
        _transport = transport;
        _time = time;
        _random = random;
        _logger = logger ?? NullLogger.Instance;
        _protector = DatagramProtector.CreateRandom(keyring, name, time, options.MaxTrackedSenders, options.DeadReclaimTime);
        _capacity = options.MaxDatagramSize - _protector.SealedOverhead;
        _plaintext = new byte[_capacity];

        // Sequence numbers start at random: an ack recorded from an earlier process never matches a fresh probe.
        _sequence = unchecked((uint)RandomNumberGenerator.GetInt32(int.MinValue, int.MaxValue));

        // A boot-time incarnation (Unix seconds) so that a restarted process outranks what its predecessor left behind.
        var boot = (uint)Math.Clamp(time.GetUtcNow().ToUnixTimeSeconds(), 0, uint.MaxValue / 2);
        _local = new MemberRecord(name, advertise, MemberState.Alive, boot, ReadOnlyMemory<byte>.Empty)
        {
            StateChangedAt = time.GetTimestamp(),
        };
        _members[name] = _local;
    }

    /// <inheritdoc />
    public string LocalName => _name;

    /// <inheritdoc />
    public event Action<Member>? Changed;

    /// <summary>Dropped datagrams and messages per reason.</summary>
    public DropCounters Drops { get; } = new();

    /// <summary>Datagrams and bytes sent and received.</summary>
    public TrafficCounters Traffic { get; } = new();

    /// <inheritdoc />
    public IReadOnlyList<Member> Members
    {
        get
        {
            lock (_lock)
            {
                return _snapshot ??= [.. _members.Values.OrderBy(m => m.Name, StringComparer.Ordinal).Select(m => m.ToMember())];
            }
        }
    }

    /// <summary>
    /// When an authenticated datagram last arrived from <paramref name="name"/> (its sealed sender); null for this node,
    /// an unknown name, or a member not heard from since this node started.
    /// </summary>
    public DateTimeOffset? LastHeard(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_lock)
        {
            return _members.ContainsKey(name) && name != _local.Name && _heard.TryGetValue(name, out var at) ? at : null;
        }
    }

    /// <summary>This node's current incarnation.</summary>
    public uint Incarnation
    {
        get
        {
            lock (_lock)
            {
                return _local.Incarnation;
            }
        }
    }

    /// <summary>
    /// Timer callbacks run so far: a progress counter for the host's liveness monitor (the probe and gossip timers
    /// advance it every <see cref="MembershipOptions.ProbeInterval"/> and <see cref="MembershipOptions.GossipInterval"/>
    /// until <see cref="Leave"/>), so a wedged membership or timer queue is seen.
    /// </summary>
    public long TimerRuns => Interlocked.Read(ref _timerRuns);

    /// <summary>True once a seed answered (or there were none).</summary>
    public bool IsJoined
    {
        get
        {
            lock (_lock)
            {
                return _joined;
            }
        }
    }

    /// <summary>
    /// Starts probing and gossiping and joins through <paramref name="seeds"/> (push/pull with each), retrying with a
    /// bounded backoff until one answers. Seeds are contacted again at each push/pull round while they are not live
    /// members, so a cluster split by a long partition finds itself again.
    /// </summary>
    public void Start(IReadOnlyList<IPEndPoint> seeds)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started)
            {
                throw new InvalidOperationException("The membership is already started.");
            }

            _started = true;
            _seeds = [.. seeds.Where(s => !s.Equals(_local.Address)).Distinct()];
            _joined = _seeds.Length == 0;
            var stagger = TimeSpan.FromTicks((long)(_random.NextDouble() * _options.ProbeInterval.Ticks));
            _probeTimer = CreateTimer(static s => s.OnProbeTick(), stagger, _options.ProbeInterval);
            _probePhaseTimer = CreateTimer(static s => s.OnProbePhase(), Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _gossipTimer = CreateTimer(static s => s.OnGossipTick(), _options.GossipInterval, _options.GossipInterval);
            _pushPullTimer = CreateTimer(static s => s.OnPushPullTick(), PushPullDelay(), Timeout.InfiniteTimeSpan);
            if (!_joined)
            {
                SendJoin();
                _joinTimer = CreateTimer(static s => s.OnJoinTick(), _options.JoinRetryMinimum, Timeout.InfiniteTimeSpan);
            }

            _local.StateChangedAt = _time.GetTimestamp();
            RaiseChanged(_local);
        }

        Flush();
    }

    /// <summary>Handles one received datagram. Never throws: bad datagrams are dropped and counted in <see cref="Drops"/>.</summary>
    public void OnDatagram(ReadOnlySpan<byte> datagram, IPEndPoint from)
    {
        Traffic.RecordReceived(datagram.Length);
        if (from is null)
        {
            return;
        }

        lock (_lock)
        {
            try
            {
                Receive(datagram, from);
            }
            catch (Exception ex)
            {
                Drop(DropReason.InternalError, from);
                _logger.ProcessingFailed(from, ex);
            }
        }

        Flush();
    }

    /// <inheritdoc />
    public void UpdateMetadata(ReadOnlyMemory<byte> metadata)
    {
        if (metadata.Length > WireFormat.MaxLargeMetadataBytes)
        {
            throw new ArgumentException($"Metadata is at most {WireFormat.MaxLargeMetadataBytes} bytes.", nameof(metadata));
        }

        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            SetLocalMetadata(metadata);
            if (_left)
            {
                // An alive at a new incarnation would undo the leave.
                _snapshot = null;
                return;
            }

            _local.Incarnation = _local.Incarnation < uint.MaxValue ? _local.Incarnation + 1 : uint.MaxValue;
            BroadcastLocalAlive();
            RaiseChanged(_local);
            if (_started)
            {
                GossipRound();
                PushLocalMetadataToAll();
            }
        }

        Flush();
    }

    /// <summary>Replaces the keyring (a reload that rotates keys).</summary>
    public void UpdateKeyring(Keyring keyring)
    {
        ArgumentNullException.ThrowIfNull(keyring);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _protector.UpdateKeyring(keyring);
        }
    }

    /// <summary>
    /// Leaves on purpose: tells every live member at once, keeps retransmitting the leave through gossip, and stops
    /// probing and answering.
    /// </summary>
    public void Leave()
    {
        lock (_lock)
        {
            if (_left || _disposed)
            {
                return;
            }

            _left = true;
            _logger.Leaving(_local.Incarnation);
            _probeTimer?.Dispose();
            _probePhaseTimer?.Dispose();
            _pushPullTimer?.Dispose();
            _joinTimer?.Dispose();
            _probe = null;
            var leave = new DeadMessage(_local.Incarnation, _name, _name);
            _local.State = MemberState.Left;
            _local.StateChangedAt = _time.GetTimestamp();
            _broadcasts.Clear();
            _broadcasts.Enqueue(_name, leave);
            foreach (var member in _members.Values)
            {
                if (member != _local && member.IsLive)
                {
                    Send(leave, member, piggyback: false);
                }
            }

            RaiseChanged(_local);
        }

        Flush();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _probeTimer?.Dispose();
            _probePhaseTimer?.Dispose();
            _gossipTimer?.Dispose();
            _pushPullTimer?.Dispose();
            _joinTimer?.Dispose();
            foreach (var member in _members.Values)
            {
                member.Suspicion?.Dispose();
            }

            foreach (var pending in _pendingAcks.Values)
            {
                pending.Timer?.Dispose();
            }

            _pendingAcks.Clear();
            _protector.Dispose();
            _outbox.Clear();
            _events.Clear();
            _userMessages.Clear();
        }
    }

    private ITimer CreateTimer(Action<SwimMembership> callback, TimeSpan due, TimeSpan period) =>
        _time.CreateTimer(static state =>
        {
            var (self, action) = ((SwimMembership, Action<SwimMembership>))state!;
            self.RunTimer(action);
        }, (this, callback), due, period);

    private void RunTimer(Action<SwimMembership> action)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            try
            {
                action(this);
            }
            catch (Exception ex)
            {
                _logger.TimerFailed(ex);
            }

            Interlocked.Increment(ref _timerRuns);
        }

        Flush();
    }

    private void Receive(ReadOnlySpan<byte> datagram, IPEndPoint from)
    {
        if (_disposed || _left || !_started)
        {
            Drop(DropReason.Stopped, from);
            return;
        }

        var reason = _protector.TryOpen(datagram, _opened, out var opened);
        if (reason != DropReason.None)
        {
            if (reason == DropReason.LegacyVersion)
            {
                LogLegacy(from);
            }

            Drop(reason, from);
            return;
        }

        _decoded.Clear();
        reason = MessageCodec.TryDecode(_opened.AsSpan(opened.FramesOffset, opened.FramesLength), _decoded);
        if (reason != DropReason.None)
        {
            Drop(reason, from);
            return;
        }

        if (opened.ToAnyone && !IsJoinOnly(_decoded))
        {
            // "Whoever listens here" is for a join to a seed only: nothing else may be redirected to another node.
            _decoded.Clear();
            Drop(DropReason.WrongRecipient, from);
            return;
        }

        RecordHeard(opened.Sender);
        _source = from;

        // State first (piggybacked alives, push/pull): a ping from a member this node has not heard of yet often
        // carries its alive, and the ack can only go to a known member's address.
        foreach (var message in _decoded)
        {
            if (message is AliveMessage or SuspectMessage or DeadMessage or PushPullMessage)
            {
                Handle(message, opened.Sender);
            }
        }

        foreach (var message in _decoded)
        {
            if (message is not (AliveMessage or SuspectMessage or DeadMessage or PushPullMessage))
            {
                Handle(message, opened.Sender);
            }
        }

        _decoded.Clear();
    }

    private static bool IsJoinOnly(List<WireMessage> messages)
    {
        foreach (var message in messages)
        {
            if (message is not PushPullMessage { IsReply: false })
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A vipd 0.1 datagram: say once per source address (bounded) why it is refused.</summary>
    private void LogLegacy(IPEndPoint from)
    {
        if (_legacyLogged.Count < 256 ? _legacyLogged.Add(from.Address) : LogOncePerMinute(ref _lastLegacyLog))
        {
            _logger.LegacyDatagram(from, WireFormat.LegacyVersion, WireFormat.Version);
        }
    }

    private void Handle(WireMessage message, string sender)
    {
        switch (message)
        {
            case PingMessage ping:
                HandlePing(ping, sender);
                break;
            case IndirectPingMessage indirect:
                HandleIndirectPing(indirect, sender);
                break;
            case AckMessage ack:
                HandleAck(ack.Sequence, sender);
                break;
            case NackMessage nack:
                HandleNack(nack.Sequence, sender);
                break;
            case AliveMessage alive:
                HandleAlive(alive, sender);
                break;
            case SuspectMessage suspect:
                HandleSuspect(suspect, sender);
                break;
            case DeadMessage dead:
                HandleDead(dead, sender);
                break;
            case PushPullMessage pushPull:
                HandlePushPull(pushPull, sender);
                break;
            case AliveRequestMessage request:
                HandleAliveRequest(request, sender);
                break;
            case UserMessage user:
                HandleUserMessage(user, sender);
                break;
            case MetadataRequestMessage request:
                HandleMetadataRequest(request, sender);
                break;
            case MetadataFragmentMessage fragment:
                HandleMetadataFragment(fragment);
                break;
            default:
                break;
        }
    }

    private void RecordHeard(string sender)
    {
        // Bounded: only authenticated senders get here; entries of names no longer members are forgotten when the
        // table outgrows the membership.
        if (!_heard.ContainsKey(sender) && _heard.Count >= (_members.Count * 2) + 16)
        {
            foreach (var stale in _heard.Keys.Where(n => !_members.ContainsKey(n)).ToList())
            {
                _heard.Remove(stale);
            }
        }

        _heard[sender] = _time.GetUtcNow();
    }

    /// <summary>The member <paramref name="name"/> (not this node), or null.</summary>
    private MemberRecord? Peer(string name) =>
        _members.TryGetValue(name, out var record) && record != _local ? record : null;

    /// <summary>
    /// Answers the authenticated sender of the datagram being handled, at its known address in the member table
    /// (never at the datagram's UDP source): a stranger resending a recording cannot turn a node into a reflector.
    /// </summary>
    private void Reply(string sender, WireMessage message, WireMessage? extra = null)
    {
        if (Peer(sender) is not { } peer)
        {
            Drop(DropReason.UnknownSender, _source);
            return;
        }

        Send(message, peer, extra: extra);
    }

    private void Drop(DropReason reason, IPEndPoint from)
    {
        Drops.Increment(reason);
        if (!_logger.IsEnabled(LogLevel.Debug))
        {
            return;
        }

        // At most one drop message per second, with the count of the ones it stands for.
        var now = _time.GetTimestamp();
        if (_lastDropLog != long.MinValue && _time.GetElapsedTime(_lastDropLog, now) < TimeSpan.FromSeconds(1))
        {
            _suppressedDrops++;
            return;
        }

        _logger.Dropped(from, reason, _suppressedDrops);
        _suppressedDrops = 0;
        _lastDropLog = now;
    }

    private void RaiseChanged(MemberRecord record)
    {
        _snapshot = null;
        _events.Add(record.ToMember());
    }

    /// <summary>
    /// Sends the queued datagrams and raises the queued events, outside the state lock. The flush lock keeps events
    /// in the order they happened when a datagram thread and a timer thread flush at the same time.
    /// </summary>
    private void Flush()
    {
        lock (_flushLock)
        {
            List<(byte[] Buffer, int Length, IPEndPoint Destination)> outbox;
            List<Member> events;
            List<(ReadOnlyMemory<byte> Payload, IPEndPoint From)> users;
            lock (_lock)
            {
                if (_outbox.Count == 0 && _events.Count == 0 && _userMessages.Count == 0)
                {
                    return;
                }

                outbox = _outbox;
                events = _events;
                users = _userMessages;
                _outbox = [];
                _events = [];
                _userMessages = [];
            }

            SendAll(outbox);
            RaiseAll(events);
            RaiseUserMessages(users);
        }
    }

    private void SendAll(List<(byte[] Buffer, int Length, IPEndPoint Destination)> outbox)
    {
        foreach (var (buffer, length, destination) in outbox)
        {
            try
            {
                Traffic.RecordSent(length);
                _transport.Send(buffer.AsSpan(0, length), destination);
            }
            catch (Exception ex)
            {
                _logger.SendFailed(destination, ex);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private void RaiseAll(List<Member> events)
    {
        foreach (var member in events)
        {
            try
            {
                Changed?.Invoke(member);
            }
            catch (Exception ex)
            {
                _logger.HandlerFailed(member.Name, ex);
            }
        }
    }

    /// <summary>Seals <paramref name="message"/>, plus queued broadcasts that fit, into one datagram for <paramref name="member"/>.</summary>
    private void Send(WireMessage message, MemberRecord member, bool piggyback = true, WireMessage? extra = null) =>
        Send(message, member.Address, member.RecipientId, piggyback, extra);

    /// <summary>Seals <paramref name="message"/>, plus queued broadcasts that fit, into one datagram for the outbox.</summary>
    private void Send(WireMessage message, IPEndPoint destination, ulong recipient, bool piggyback = true, WireMessage? extra = null)
    {
        var length = MessageCodec.Write(message, _plaintext);
        if (extra is not null)
        {
            length += MessageCodec.Write(extra, _plaintext.AsSpan(length));
        }

        if (piggyback)
        {
            length += _broadcasts.Fill(_plaintext.AsSpan(length), TransmitLimit());
        }

        SealToOutbox(length, destination, recipient);
    }

    private void SealToOutbox(int plaintextLength, IPEndPoint destination, ulong recipient)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(plaintextLength + _protector.SealedOverhead);
        var length = _protector.Seal(_plaintext.AsSpan(0, plaintextLength), recipient, buffer);
        _outbox.Add((buffer, length, destination));
    }

    private int LiveCount()
    {
        var count = 0;
        foreach (var member in _members.Values)
        {
            if (member.IsLive)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>memberlist's retransmit limit: RetransmitMultiplier x ceil(log10(n + 1)).</summary>
    private int TransmitLimit() =>
        _options.RetransmitMultiplier * (int)Math.Ceiling(Math.Log10(LiveCount() + 1.0));

    private uint NextSequence() => ++_sequence;

    /// <summary>True for a sequence this node handed out lately (a late or duplicate ack of it is not suspicious).</summary>
    private bool IsRecentSequence(uint sequence) => _sequence - sequence < 4096;

    private sealed class PendingAck
    {
        /// <summary>The member whose ack this waits for (the probed one, or the target of a relayed probe).</summary>
        public required string Target { get; init; }

        /// <summary>For a relayed (indirect) probe: whom to tell.</summary>
        public MemberRecord? Requester { get; init; }

        public uint RequesterSequence { get; init; }

        public bool WantNack { get; init; }

        public ITimer? Timer { get; set; }
    }

    private sealed class ProbeState(MemberRecord target, uint sequence)
    {
        public MemberRecord Target { get; } = target;

        public uint Sequence { get; } = sequence;

        public bool Indirect { get; set; }

        public int ExpectedNacks { get; set; }

        public int Nacks { get; set; }

        /// <summary>The members asked to probe indirectly: their relayed acks count, and each one's nack once.</summary>
        public HashSet<string> Helpers { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Nacked { get; } = new(StringComparer.Ordinal);
    }
}
