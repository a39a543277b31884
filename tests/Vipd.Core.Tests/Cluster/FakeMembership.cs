using System.Net;
using Vipd.Core.Election;
using Vipd.Core.Membership;

namespace Vipd.Core.Tests.Cluster;

/// <summary>A scripted membership view: the test sets members and their records, then raises Changed.</summary>
internal sealed class FakeMembership(string localName) : IMembership
{
    private readonly Dictionary<string, Member> _members = new(StringComparer.Ordinal);
    private uint _incarnation;

    public string LocalName { get; } = localName;

    public IReadOnlyList<Member> Members => [.. _members.Values];

    public event Action<Member>? Changed;

    /// <summary>Every record this node published, decoded.</summary>
    public List<NodeRecord> Published { get; } = [];

    public NodeRecord LastPublished => Published[^1];

    /// <summary>The bytes of the last record this node published (null before the first), for delivery to a peer's view.</summary>
    public byte[]? LastBytes { get; private set; }

    public void UpdateMetadata(ReadOnlyMemory<byte> metadata)
    {
        Assert.True(metadata.Length <= NodeRecordCodec.MaxSize);
        Assert.True(NodeRecordCodec.TryDecode(metadata.Span, out var record));
        Published.Add(record);
        LastBytes = metadata.ToArray();
        Set(LocalName, MemberState.Alive, metadata.ToArray());
    }

    /// <summary>Sets a peer: state plus its record built from (vip name, eligible, priority, holding).</summary>
    public void Peer(string name, MemberState state, bool maintenance = false, bool draining = false,
        params (string Vip, bool Eligible, int Priority, bool Holding)[] vips) => Peer(name, state, 0, maintenance, draining, vips);

    /// <summary>The takeover epoch of the claims in the records <see cref="Peer(string, MemberState, bool, bool, ValueTuple{string, bool, int, bool}[])"/> makes (0: older than any claim of the node under test).</summary>
    public uint ClaimEpoch { get; set; }

    /// <summary>Sets a peer whose record carries <paramref name="vipSetDigest"/> (the digest of the VIP names it knows).</summary>
    public void Peer(string name, MemberState state, ulong vipSetDigest, bool maintenance = false, bool draining = false,
        params (string Vip, bool Eligible, int Priority, bool Holding)[] vips)
    {
        var record = new NodeRecord(++_incarnation, maintenance, draining,
            [.. vips.Select(v => new NodeVipEntry(VipKey.Of(v.Vip), v.Eligible, (byte)v.Priority, v.Holding, v.Holding ? ClaimEpoch : 0))])
        { VipSetDigest = vipSetDigest };
        Set(name, state, NodeRecordCodec.Encode(record));
    }

    /// <summary>Delivers a peer's published record as it is (gossip reaching this node).</summary>
    public void Deliver(string name, byte[] metadata) => Set(name, MemberState.Alive, metadata);

    /// <summary>Changes only a peer's state, keeping its record.</summary>
    public void State(string name, MemberState state) => Set(name, state, _members[name].Metadata.ToArray());

    public void Remove(string name) => _members.Remove(name);

    private void Set(string name, MemberState state, byte[] metadata)
    {
        var member = new Member(name, new IPEndPoint(IPAddress.Parse("192.0.2.1"), 7450), state, ++_incarnation, metadata);
        _members[name] = member;
        Changed?.Invoke(member);
    }
}
