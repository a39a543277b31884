using System.Net;
using Vipd.Core.Election;
using Vipd.Core.Membership;

namespace Vipd.Core.Tests.Cluster;

/// <summary>A thread-safe scripted membership: state under a lock, Changed raised outside it (as SwimMembership does).</summary>
internal sealed class LockedMembership(string localName) : IMembership
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Member> _members = new(StringComparer.Ordinal);
    private uint _incarnation;

    public string LocalName { get; } = localName;

    public IReadOnlyList<Member> Members
    {
        get
        {
            lock (_lock)
            {
                return [.. _members.Values];
            }
        }
    }

    public event Action<Member>? Changed;

    public void UpdateMetadata(ReadOnlyMemory<byte> metadata) => Set(LocalName, MemberState.Alive, metadata.ToArray());

    public void Peer(string name, MemberState state, bool eligible, int priority, bool holding, string vip)
    {
        var record = new NodeRecord(0, false, false, [new NodeVipEntry(VipKey.Of(vip), eligible, (byte)priority, holding)]);
        Set(name, state, NodeRecordCodec.Encode(record));
    }

    private void Set(string name, MemberState state, byte[] metadata)
    {
        Member member;
        lock (_lock)
        {
            member = new Member(name, new IPEndPoint(IPAddress.Parse("192.0.2.1"), 7450), state, ++_incarnation, metadata);
            _members[name] = member;
        }

        Changed?.Invoke(member);
    }
}
