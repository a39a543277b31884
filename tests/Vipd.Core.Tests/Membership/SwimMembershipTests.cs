using System.Net;
using Microsoft.Extensions.Time.Testing;
using Vipd.Core.Crypto;
using Vipd.Core.Membership;
using Vipd.Core.Net;
using Vipd.Core.Tests.Crypto;
using Vipd.Core.Wire;

namespace Vipd.Core.Tests.Membership;

public sealed class SwimMembershipTests
{
    private static readonly IPEndPoint Local = new(IPAddress.Parse("192.0.2.10"), 7450);
    private static readonly IPEndPoint Peer = new(IPAddress.Parse("192.0.2.11"), 7450);

    [Fact]
    public void UpdateMetadata_OverLargeLimit_ThrowsAndLargeBodyIsSeenWhole()
    {
        using var membership = Create(out _);
        Assert.Throws<ArgumentException>(() => membership.UpdateMetadata(new byte[WireFormat.MaxLargeMetadataBytes + 1]));
        membership.UpdateMetadata(new byte[512]);
        Assert.Equal(512, membership.Members.Single().Metadata.Length);
        membership.UpdateMetadata(new byte[WireFormat.MaxLargeMetadataBytes]);
        Assert.Equal(WireFormat.MaxLargeMetadataBytes, membership.Members.Single().Metadata.Length);
    }

    [Fact]
    public void UpdateMetadata_RaisesChangedAndBumpsIncarnation()
    {
        using var membership = Create(out _);
        var before = membership.Incarnation;
        Member? changed = null;
        membership.Changed += m => changed = m;
        membership.UpdateMetadata(new byte[] { 7 });
        Assert.Equal(before + 1, membership.Incarnation);
        Assert.NotNull(changed);
        Assert.Equal(7, changed.Metadata.Span[0]);
    }

    [Fact]
    public void Constructor_NameOver128Bytes_Throws()
    {
        Assert.Throws<ArgumentException>(() => new SwimMembership(new string('x', 129), Local, MembershipOptions.Default,
            new NullTransport(), Key(1), new FakeTimeProvider(), new Random(1)));
    }

    [Fact]
    public void Constructor_InvalidOptions_Throws()
    {
        Assert.Throws<ArgumentException>(() => new SwimMembership("n1", Local, MembershipOptions.Default with { ProbeInterval = TimeSpan.Zero },
            new NullTransport(), Key(1), new FakeTimeProvider(), new Random(1)));
    }

    [Fact]
    public void Options_Profiles_AreValid()
    {
        MembershipOptions.Default.Validate();
        MembershipOptions.Fast.Validate();
        Assert.True(MembershipOptions.Fast.ProbeInterval < MembershipOptions.Default.ProbeInterval);
    }

    [Fact]
    public void OnDatagram_BeforeStart_DroppedAsStopped()
    {
        using var membership = Create(out _);
        membership.OnDatagram(new byte[100], Peer);
        Assert.Equal(1, membership.Drops[DropReason.Stopped]);
    }

    [Fact]
    public void OnDatagram_Garbage_CountedNeverThrows()
    {
        using var membership = Create(out _);
        membership.Start([]);
        membership.OnDatagram([], Peer);
        membership.OnDatagram(new byte[] { 9, 1, 2 }, Peer);
        membership.OnDatagram(new byte[] { WireFormat.Version, 1, 2 }, Peer);
        membership.OnDatagram(new byte[2000], Peer);
        Assert.Equal(1, membership.Drops[DropReason.UnknownVersion]);
        Assert.Equal(2, membership.Drops[DropReason.Truncated]);
        Assert.Equal(1, membership.Drops[DropReason.Oversized]);
        Assert.Equal(4, membership.Traffic.DatagramsReceived);
    }

    [Fact]
    public void OnDatagram_PingForAnotherName_DroppedAsWrongRecipient()
    {
        // Format 2: the ping names no target; the sealed recipient id does, and a ping for another node gets no ack.
        using var membership = Create(out var sent);
        membership.Start([]);
        using var peer = TestSealer.Create(Key(1), "n2", 42);
        membership.OnDatagram(peer.SealFor(MessageCodec.Encode(new PingMessage(5)), "someone-else"), Peer);
        Assert.Equal(1, membership.Drops[DropReason.WrongRecipient]);
        Assert.Empty(sent);
    }

    [Fact]
    public void OnDatagram_Ping_AnsweredWithAck()
    {
        using var membership = Create(out var sent);
        membership.Start([]);
        using var peer = TestSealer.Create(Key(1), "n2", 42);
        Deliver(membership, peer, new PingMessage(5), new AliveMessage(3, "n2", Peer, ReadOnlyMemory<byte>.Empty));
        var (bytes, destination) = Assert.Single(sent);
        Assert.Equal(Peer, destination);
        Assert.Equal(5u, Assert.IsType<AckMessage>(peer.OpenMessages(bytes)[0]).Sequence);
        Assert.Equal(1, membership.Traffic.DatagramsSent);
    }

    [Fact]
    public void OnDatagram_TransportAndHandlerThrow_NeverThrows()
    {
        using var membership = new SwimMembership("n1", Local, MembershipOptions.Default, new ThrowingTransport(), Key(1),
            new FakeTimeProvider(), new Random(1));
        membership.Changed += _ => throw new InvalidOperationException("handler bug");
        membership.Start([Peer]);
        using var peer = TestSealer.Create(Key(1), "n2", 42);
        Deliver(membership, peer, new PingMessage(5), new AliveMessage(9, "n2", Peer, ReadOnlyMemory<byte>.Empty));
        Assert.Equal(2, membership.Members.Count);
        Assert.True(membership.Traffic.DatagramsSent > 0);
    }

    [Fact]
    public void OnDatagram_ConcurrentThreadsAndTimers_StateStaysConsistent()
    {
        var time = new FakeTimeProvider();
        using var membership = new SwimMembership("n1", Local, MembershipOptions.Default, new NullTransport(), Key(1), time, new Random(1));
        var events = 0;
        membership.Changed += _ => Interlocked.Increment(ref events);
        membership.Start([]);
        const int Threads = 4;
        const int PerThread = 500;
        var datagrams = new byte[Threads][][];
        for (var t = 0; t < Threads; t++)
        {
            using var sealer = TestSealer.Create(Key(1), $"t{t}", (uint)(t + 10));
            datagrams[t] = new byte[PerThread][];
            for (var i = 0; i < PerThread; i++)
            {
                var name = $"t{t}-{i % 50}";
                var plaintext = MessageCodec.Encode(
                    new AliveMessage((uint)(i + 1), name, new IPEndPoint(IPAddress.Parse("192.0.2.100"), 8000 + (t * 50) + (i % 50)), ReadOnlyMemory<byte>.Empty),
                    new SuspectMessage((uint)(i + 1), name, "x"),
                    new PingMessage((uint)i));
                datagrams[t][i] = sealer.SealFor(plaintext, "n1");
            }
        }

        var senders = Enumerable.Range(0, Threads).Select(t => new IPEndPoint(IPAddress.Parse("192.0.2.101"), 9000 + t)).ToArray();
        var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            foreach (var datagram in datagrams[t])
            {
                membership.OnDatagram(datagram, senders[t]);
                _ = membership.Members.Count;
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        for (var i = 0; i < 200; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(5));
        }

        workers.ForEach(w => w.Join());
        Assert.Equal(0, membership.Drops[DropReason.InternalError]);
        Assert.Equal(0, membership.Drops[DropReason.Replayed]);
        Assert.Equal(1 + (Threads * 50), membership.Members.Count);
        Assert.True(events > Threads * 50);
    }

    [Fact]
    public void OnDatagram_PingFromNewerSender_AsksForItsAlive()
    {
        using var membership = Create(out var sent);
        membership.Start([]);
        using var peer = TestSealer.Create(Key(1), "n2", 42);
        Deliver(membership, peer, new AliveMessage(3, "n2", Peer, ReadOnlyMemory<byte>.Empty));
        sent.Clear();
        Deliver(membership, peer, new PingMessage(5, 3));
        Assert.DoesNotContain(peer.OpenMessages(Assert.Single(sent).Bytes), m => m is AliveRequestMessage);
        sent.Clear();
        Deliver(membership, peer, new PingMessage(6, 4));
        var reply = peer.OpenMessages(Assert.Single(sent).Bytes);
        Assert.IsType<AckMessage>(reply[0]);
        Assert.Equal("n2", Assert.IsType<AliveRequestMessage>(reply[1]).Target);
    }

    [Fact]
    public void OnDatagram_PingFromMemberHeldDead_TellsItSoItRefutes()
    {
        using var membership = Create(out var sent);
        membership.Start([]);
        using var peer = TestSealer.Create(Key(1), "n2", 42);
        Deliver(membership, peer, new AliveMessage(3, "n2", Peer, ReadOnlyMemory<byte>.Empty), new DeadMessage(3, "n2", "n3"));
        sent.Clear();
        Deliver(membership, peer, new PingMessage(5, 3));
        var dead = Assert.IsType<DeadMessage>(peer.OpenMessages(Assert.Single(sent).Bytes)[1]);
        Assert.Equal((3u, "n2", "n1"), (dead.Incarnation, dead.Name, dead.From));
    }

    [Fact]
    public void OnDatagram_AliveRequest_AnsweredWithMetadata()
    {
        using var membership = Create(out var sent);
        membership.UpdateMetadata(new byte[] { 4, 2 });
        membership.Start([]);
        using var peer = TestSealer.Create(Key(1), "n2", 42);
        Deliver(membership, peer, new AliveMessage(3, "n2", Peer, ReadOnlyMemory<byte>.Empty));
        sent.Clear();
        Deliver(membership, peer, new AliveRequestMessage("n1"));
        var alive = Assert.IsType<AliveMessage>(peer.OpenMessages(Assert.Single(sent).Bytes)[0]);
        Assert.Equal(membership.Incarnation, alive.Incarnation);
        Assert.Equal(new byte[] { 4, 2 }, alive.Metadata.ToArray());
        sent.Clear();
        Deliver(membership, peer, new AliveRequestMessage("n9"));
        Assert.Empty(sent);
        Assert.Equal(1, membership.Drops[DropReason.WrongTarget]);
    }

    [Fact]
    public void OnDatagram_AliveForOurNameFromOtherAddress_RefutesAndWarns()
    {
        var logger = new RecordingLogger();
        using var membership = new SwimMembership("n1", Local, MembershipOptions.Default, new NullTransport(), Key(1),
            new FakeTimeProvider(), new Random(1), logger);
        membership.Start([]);
        var before = membership.Incarnation;
        using var peer = TestSealer.Create(Key(1), "n2", 42);
        Deliver(membership, peer, new AliveMessage(before, "n1", Peer, ReadOnlyMemory<byte>.Empty));
        Deliver(membership, peer, new AliveMessage(before + 1, "n1", Peer, ReadOnlyMemory<byte>.Empty));
        Assert.Equal(before + 2, membership.Incarnation);
        Assert.Single(logger.Entries, e => e.EventId == 2012 && e.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    [Fact]
    public void Start_SeedNeverAnswers_RetriesWithBoundedBackoff()
    {
        var transport = new RecordingTransport();
        var time = new FakeTimeProvider();
        using var membership = new SwimMembership("n1", Local, MembershipOptions.Default, transport, Key(1), time, new Random(1));
        membership.Start([Peer]);
        var sendTimes = new List<TimeSpan>();
        var start = time.GetUtcNow();
        for (var i = 0; i < 600; i++)
        {
            var before = transport.Sent.Count;
            time.Advance(TimeSpan.FromMilliseconds(100));
            if (transport.Sent.Count > before)
            {
                sendTimes.Add(time.GetUtcNow() - start);
            }
        }

        // 0.2, 0.4, 0.8, 1.6, 3.2 s, then every 5 s (plus the push/pull round's seed contact): never faster, never giving up.
        Assert.All(transport.Sent, s => Assert.Equal(Peer, s.Destination));
        Assert.False(membership.IsJoined);
        Assert.InRange(sendTimes.Count, 12, 20);
        Assert.Contains(sendTimes, t => t > TimeSpan.FromSeconds(55));
        var gaps = sendTimes.Zip(sendTimes.Skip(1), (a, b) => b - a).ToList();
        Assert.True(gaps.Skip(6).All(g => g <= TimeSpan.FromSeconds(5.1)), string.Join(", ", gaps));
    }

    [Fact]
    public void Start_Twice_Throws()
    {
        using var membership = Create(out _);
        membership.Start([]);
        Assert.Throws<InvalidOperationException>(() => membership.Start([]));
    }

    private static SwimMembership Create(out List<(byte[] Bytes, IPEndPoint Destination)> sent)
    {
        var transport = new RecordingTransport();
        sent = transport.Sent;
        return new SwimMembership("n1", Local, MembershipOptions.Default, transport, Key(1), new FakeTimeProvider(), new Random(1));
    }

    private static void Deliver(SwimMembership membership, DatagramProtector peer, params WireMessage[] messages) =>
        membership.OnDatagram(peer.SealFor(MessageCodec.Encode(messages), "n1"), Peer);

    private static Keyring Key(byte fill) => Keyring.FromKeys([Enumerable.Repeat(fill, 32).ToArray()]);

    private sealed class NullTransport : ITransport
    {
        public void Send(ReadOnlySpan<byte> datagram, IPEndPoint destination)
        {
        }
    }

    private sealed class RecordingLogger : Microsoft.Extensions.Logging.ILogger
    {
        public List<(Microsoft.Extensions.Logging.LogLevel Level, int EventId)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state,
            Exception? exception, Func<TState, Exception?, string> formatter) => Entries.Add((logLevel, eventId.Id));
    }

    private sealed class ThrowingTransport : ITransport
    {
        public void Send(ReadOnlySpan<byte> datagram, IPEndPoint destination) => throw new InvalidOperationException("socket closed");
    }

    private sealed class RecordingTransport : ITransport
    {
        public List<(byte[] Bytes, IPEndPoint Destination)> Sent { get; } = [];

        public void Send(ReadOnlySpan<byte> datagram, IPEndPoint destination) => Sent.Add((datagram.ToArray(), destination));
    }
}
