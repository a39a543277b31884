using System.Net;
using Microsoft.Extensions.Time.Testing;
using Vipd.Core.Crypto;
using Vipd.Core.Membership;
using Vipd.Core.Net;
using Vipd.Core.Wire;

namespace Vipd.Core.Tests.Membership;

public sealed class SwimMembershipTests
{
    private static readonly IPEndPoint Local = new(IPAddress.Parse("192.0.2.10"), 7450);
    private static readonly IPEndPoint Peer = new(IPAddress.Parse("192.0.2.11"), 7450);

    [Fact]
    public void UpdateMetadata_Over512Bytes_Throws()
    {
        using var membership = Create(out _);
        Assert.Throws<ArgumentException>(() => membership.UpdateMetadata(new byte[513]));
        membership.UpdateMetadata(new byte[512]);
        Assert.Equal(512, membership.Members.Single().Metadata.Length);
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
    public void OnDatagram_PingForAnotherName_DroppedAsWrongTarget()
    {
        using var membership = Create(out var sent);
        membership.Start([]);
        using var peer = new DatagramProtector(Key(1), 42);
        var plaintext = MessageCodec.Encode(new PingMessage(5, "someone-else", "n2"));
        var datagram = new byte[plaintext.Length + DatagramProtector.Overhead];
        peer.Seal(plaintext, datagram);
        membership.OnDatagram(datagram, Peer);
        Assert.Equal(1, membership.Drops[DropReason.WrongTarget]);
        Assert.Empty(sent);
    }

    [Fact]
    public void OnDatagram_Ping_AnsweredWithAck()
    {
        using var membership = Create(out var sent);
        membership.Start([]);
        using var peer = new DatagramProtector(Key(1), 42);
        var plaintext = MessageCodec.Encode(new PingMessage(5, "n1", "n2"));
        var datagram = new byte[plaintext.Length + DatagramProtector.Overhead];
        peer.Seal(plaintext, datagram);
        membership.OnDatagram(datagram, Peer);
        var (bytes, destination) = Assert.Single(sent);
        Assert.Equal(Peer, destination);
        var opened = new byte[bytes.Length];
        Assert.Equal(DropReason.None, peer.TryOpen(bytes, Local, opened, out var length));
        MessageCodec.TryDecode(opened.AsSpan(0, length), out var messages);
        Assert.Equal(5u, Assert.IsType<AckMessage>(messages[0]).Sequence);
        Assert.Equal(1, membership.Traffic.DatagramsSent);
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

    private static Keyring Key(byte fill) => Keyring.FromKeys([Enumerable.Repeat(fill, 32).ToArray()]);

    private sealed class NullTransport : ITransport
    {
        public void Send(ReadOnlySpan<byte> datagram, IPEndPoint destination)
        {
        }
    }

    private sealed class RecordingTransport : ITransport
    {
        public List<(byte[] Bytes, IPEndPoint Destination)> Sent { get; } = [];

        public void Send(ReadOnlySpan<byte> datagram, IPEndPoint destination) => Sent.Add((datagram.ToArray(), destination));
    }
}
