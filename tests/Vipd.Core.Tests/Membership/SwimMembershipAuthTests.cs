using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Vipd.Core.Crypto;
using Vipd.Core.Membership;
using Vipd.Core.Net;
using Vipd.Core.Tests.Crypto;
using Vipd.Core.Wire;

namespace Vipd.Core.Tests.Membership;

/// <summary>
/// Issue 11: the sealed sender and recipient, replay per authenticated sender, replies only to known addresses, acks
/// matched to the probe, and the bounds a key holder cannot push past (members, names, incarnations).
/// </summary>
public sealed class SwimMembershipAuthTests
{
    private static readonly IPEndPoint Local = new(IPAddress.Parse("192.0.2.10"), 7450);
    private static readonly IPEndPoint N2 = new(IPAddress.Parse("192.0.2.11"), 7450);
    private static readonly IPEndPoint N3 = new(IPAddress.Parse("192.0.2.12"), 7450);
    private static readonly IPEndPoint Stranger = new(IPAddress.Parse("198.51.100.66"), 40000);
    private static readonly Keyring Key = Keyring.FromKeys([Enumerable.Repeat((byte)7, 32).ToArray()]);

    [Fact]
    public void Replay_FromAnotherEndpoint_DroppedAndNothingSent()
    {
        using var node = new TestNode();
        using var n2 = node.Peer("n2", N2);
        var ping = n2.SealFor(MessageCodec.Encode(new PingMessage(5, 1)), "n1");
        node.Membership.OnDatagram(ping, N2);
        Assert.Equal(N2, Assert.Single(node.Sent).Destination);
        node.Sent.Clear();

        // The same bytes from a stranger's address and several ports: replays, whatever the UDP source.
        for (var port = 40000; port < 40003; port++)
        {
            node.Membership.OnDatagram(ping, new IPEndPoint(Stranger.Address, port));
        }

        node.Membership.OnDatagram(ping, N2);
        Assert.Empty(node.Sent);
        Assert.Equal(4, node.Membership.Drops[DropReason.Replayed]);
    }

    [Fact]
    public void Ping_FromKnownMemberViaOtherSource_AckGoesToKnownAddress()
    {
        using var node = new TestNode();
        using var n2 = node.Peer("n2", N2);
        node.Deliver(n2, Stranger, new PingMessage(6, 1));
        var (bytes, destination) = Assert.Single(node.Sent);
        Assert.Equal(N2, destination);
        Assert.Equal(6u, Assert.IsType<AckMessage>(n2.OpenMessages(bytes)[0]).Sequence);
    }

    [Fact]
    public void Datagram_SealedForAnotherNode_DroppedAndChangesNothing()
    {
        using var node = new TestNode();
        using var n2 = node.Peer("n2", N2);
        var members = node.Membership.Members;
        var datagram = n2.SealFor(MessageCodec.Encode(new PingMessage(5, 1),
            new AliveMessage(1, "n9", N3, ReadOnlyMemory<byte>.Empty)), "n3");
        node.Membership.OnDatagram(datagram, N2);
        Assert.Equal(1, node.Membership.Drops[DropReason.WrongRecipient]);
        Assert.Empty(node.Sent);
        Assert.Equal(members, node.Membership.Members);
    }

    [Fact]
    public void Datagram_SealedForAnyone_OnlyAJoinPushPullIsTakenAndAnsweredAtTheJoinersAddress()
    {
        using var node = new TestNode();
        using var n3 = TestSealer.Create(Key, "n3", 3, node.Time);
        node.Membership.OnDatagram(n3.SealFor(MessageCodec.Encode(new PingMessage(5, 1)), null), N3);
        Assert.Equal(1, node.Membership.Drops[DropReason.WrongRecipient]);
        Assert.Empty(node.Sent);

        var join = new PushPullMessage(false, true, [new PushPullEntry("n3", N3, 1, MemberState.Alive, ReadOnlyMemory<byte>.Empty)]);
        node.Membership.OnDatagram(n3.SealFor(MessageCodec.Encode(join), null), Stranger);
        Assert.Contains(node.Membership.Members, m => m.Name == "n3");
        Assert.All(node.Sent, s => Assert.Equal(N3, s.Destination));
        Assert.IsType<PushPullMessage>(n3.OpenMessages(Assert.Single(node.Sent).Bytes)[0]);
    }

    [Fact]
    public void Requests_FromUnknownSender_NotAnsweredAndCounted()
    {
        using var node = new TestNode();
        using var n9 = TestSealer.Create(Key, "n9", 9, node.Time);
        node.Deliver(n9, Stranger, new PingMessage(5, 1));
        node.Deliver(n9, Stranger, new AliveRequestMessage("n1"));
        node.Deliver(n9, Stranger, new UserMessage(new byte[] { 1 }));
        node.Deliver(n9, Stranger, new IndirectPingMessage(7, "n2", N2, true));
        Assert.Empty(node.Sent);
        Assert.Equal(4, node.Membership.Drops[DropReason.UnknownSender]);
    }

    [Fact]
    public void UserMessages_DeliveredWithKnownAddress_AndNeverSentToAStranger()
    {
        using var node = new TestNode();
        using var n2 = node.Peer("n2", N2);
        var received = new List<IPEndPoint>();
        node.Membership.UserMessageReceived += (_, from) => received.Add(from);
        node.Deliver(n2, Stranger, new UserMessage(new byte[] { 1 }));
        Assert.Equal([N2], received);

        node.Membership.SendUserMessage(new byte[] { 2 }, Stranger);
        Assert.Empty(node.Sent);
        node.Membership.SendUserMessage(new byte[] { 3 }, N2);
        Assert.IsType<UserMessage>(n2.OpenMessages(Assert.Single(node.Sent).Bytes)[0]);
    }

    [Fact]
    public void Ack_FromWrongMemberOrForUnknownSequence_Dropped_FromProbedOrHelperAccepted()
    {
        using var node = new TestNode();
        using var n2 = node.Peer("n2", N2);
        using var n3 = node.Peer("n3", N3);
        var (sequence, target, other) = node.NextProbe(n2, n3);

        // Not the probed member, not (yet) asked to relay: no effect, so the probe goes indirect.
        node.Deliver(other, other == n2 ? N2 : N3, new AckMessage(sequence));
        node.Deliver(other, other == n2 ? N2 : N3, new AckMessage(sequence + 100_000));
        Assert.Equal(2, node.Membership.Drops[DropReason.UnexpectedAck]);
        node.Sent.Clear();
        node.Time.Advance(MembershipOptions.Default.ProbeTimeout);
        var indirect = node.Sent.Where(s => s.Destination.Equals(other == n2 ? N2 : N3)).SelectMany(s => other.OpenMessages(s.Bytes))
            .OfType<IndirectPingMessage>().Single();
        Assert.Equal(sequence, indirect.Sequence);

        // Now the helper's relayed ack counts: the target stays alive.
        node.Deliver(other, other == n2 ? N2 : N3, new AckMessage(sequence));
        node.Time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal(2, node.Membership.Drops[DropReason.UnexpectedAck]);
        Assert.All(node.Membership.Members, m => Assert.Equal(MemberState.Alive, m.State));
        _ = target;
    }

    [Fact]
    public void Sequences_StartAtRandom()
    {
        var first = new HashSet<uint>();
        for (var i = 0; i < 4; i++)
        {
            using var node = new TestNode();
            using var n2 = node.Peer("n2", N2);
            using var n3 = node.Peer("n3", N3);
            first.Add(node.NextProbe(n2, n3).Sequence);
        }

        Assert.True(first.Count >= 3, string.Join(", ", first));
    }

    [Fact]
    public void MemberTable_Full_NewMembersIgnoredLoggedOnceAndCounted()
    {
        using var node = new TestNode(MembershipOptions.Default with { MaxMembers = 4 });
        using var n2 = node.Peer("n2", N2);
        for (var i = 0; i < 5; i++)
        {
            node.Deliver(n2, N2, new AliveMessage(1, $"m{i}", new IPEndPoint(IPAddress.Parse("192.0.2.20"), 7000 + i), ReadOnlyMemory<byte>.Empty));
        }

        Assert.Equal(4, node.Membership.Members.Count);
        Assert.Equal(3, node.Membership.Drops[DropReason.MemberTableFull]);
        Assert.Single(node.Logger.Entries, e => e.EventId == 2014);
    }

    [Theory]
    [InlineData("evil\nVIP moved to attacker")]
    [InlineData("n\u001b[31m")]
    [InlineData("has space")]
    [InlineData("nødé")]
    public void Alive_NameOutsideCharset_DroppedAndCounted(string name)
    {
        using var node = new TestNode();
        using var n2 = node.Peer("n2", N2);
        node.Deliver(n2, N2, new AliveMessage(1, name, N3, ReadOnlyMemory<byte>.Empty));
        Assert.Equal(1, node.Membership.Drops[DropReason.BadName]);
        Assert.DoesNotContain(node.Membership.Members, m => m.Name == name);
        Assert.Throws<ArgumentException>(() => new SwimMembership(name, Local, MembershipOptions.Default, new RecordingTransport(), Key,
            new FakeTimeProvider(), new Random(1)));
    }

    [Fact]
    public void Incarnation_BeyondClockPlusLead_RefusedNeverWraps()
    {
        using var node = new TestNode();
        using var n2 = node.Peer("n2", N2);
        var own = node.Membership.Incarnation;
        var now = (uint)node.Time.GetUtcNow().ToUnixTimeSeconds();
        var ceiling = now + MembershipOptions.Default.MaxIncarnationLead;
        node.Deliver(n2, N2, new SuspectMessage(uint.MaxValue, "n1", "n2"), new DeadMessage(uint.MaxValue, "n1", "n2"),
            new AliveMessage(ceiling + 1, "n2", N2, ReadOnlyMemory<byte>.Empty), new AliveMessage(uint.MaxValue, "n5", N3, ReadOnlyMemory<byte>.Empty));
        Assert.Equal(own, node.Membership.Incarnation);
        Assert.Equal(4, node.Membership.Drops[DropReason.IncarnationOutOfRange]);
        Assert.DoesNotContain(node.Membership.Members, m => m.Name == "n5");
        Assert.Equal(1u, node.Membership.Members.Single(m => m.Name == "n2").Incarnation);
        Assert.Single(node.Logger.Entries, e => e.EventId == 2015);

        // At the ceiling itself: refuted above it, no wrap.
        node.Deliver(n2, N2, new SuspectMessage(ceiling, "n1", "n2"));
        Assert.Equal(ceiling + 1, node.Membership.Incarnation);
    }

    [Fact]
    public void LegacyDatagram_RefusedCountedAndLoggedOncePerAddress()
    {
        using var node = new TestNode();
        using var n2 = node.Peer("n2", N2);
        var old = n2.SealFor(MessageCodec.Encode(new PingMessage(5, 1)), "n1");
        old[0] = WireFormat.LegacyVersion;
        node.Membership.OnDatagram(old, N2);
        node.Membership.OnDatagram(old, new IPEndPoint(N2.Address, 9999));
        node.Membership.OnDatagram(old, N3);
        Assert.Equal(3, node.Membership.Drops[DropReason.LegacyVersion]);
        Assert.Equal(2, node.Logger.Entries.Count(e => e.EventId == 2013 && e.Level == LogLevel.Warning));
        Assert.Empty(node.Sent);
    }

    /// <summary>A started "n1" with a recording transport and logger.</summary>
    private sealed class TestNode : IDisposable
    {
        public TestNode(MembershipOptions? options = null)
        {
            Membership = new SwimMembership("n1", Local, options ?? MembershipOptions.Default, Transport, Key, Time, new Random(1), Logger);
            Membership.Start([]);
        }

        public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));

        public RecordingTransport Transport { get; } = new();

        public RecordingLogger Logger { get; } = new();

        public SwimMembership Membership { get; }

        public List<(byte[] Bytes, IPEndPoint Destination)> Sent => Transport.Sent;

        /// <summary>A member <paramref name="name"/> at <paramref name="address"/>, made known to the node by its alive.</summary>
        public DatagramProtector Peer(string name, IPEndPoint address)
        {
            var peer = TestSealer.Create(Key, name, (uint)address.Port + address.Address.GetAddressBytes()[^1], Time);
            Deliver(peer, address, new AliveMessage(1, name, address, ReadOnlyMemory<byte>.Empty));
            Sent.Clear();
            return peer;
        }

        public void Deliver(DatagramProtector peer, IPEndPoint source, params WireMessage[] messages) =>
            Membership.OnDatagram(peer.SealFor(MessageCodec.Encode(messages), "n1"), source);

        /// <summary>Runs the clock until the node pings one of the two peers; returns the sequence, the target's and the other's sealer.</summary>
        public (uint Sequence, DatagramProtector Target, DatagramProtector Other) NextProbe(DatagramProtector n2, DatagramProtector n3)
        {
            Sent.Clear();
            var opened = 0;
            for (var i = 0; i < 500; i++)
            {
                Time.Advance(TimeSpan.FromMilliseconds(1));

                // Each datagram is opened once (a second opening is a replay): gossip may come before the ping.
                foreach (var (bytes, destination) in Sent.Skip(opened).ToList())
                {
                    opened++;
                    var (target, other) = destination.Equals(N2) ? (n2, n3) : (n3, n2);
                    if (target.OpenMessages(bytes).OfType<PingMessage>().FirstOrDefault() is { } ping)
                    {
                        Sent.Clear();
                        return (ping.Sequence, target, other);
                    }
                }
            }

            throw new InvalidOperationException("no probe in 500 ms");
        }

        public void Dispose() => Membership.Dispose();
    }

    private sealed class RecordingTransport : ITransport
    {
        public List<(byte[] Bytes, IPEndPoint Destination)> Sent { get; } = [];

        public void Send(ReadOnlySpan<byte> datagram, IPEndPoint destination) => Sent.Add((datagram.ToArray(), destination));
    }

    private sealed class RecordingLogger : ILogger
    {
        public List<(LogLevel Level, int EventId)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, eventId.Id));
    }
}
