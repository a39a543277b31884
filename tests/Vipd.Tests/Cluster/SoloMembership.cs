using System.Net;
using Vipd.Core.Membership;

namespace Vipd.Tests.Cluster;

/// <summary>A one-node view (plus peers the test adds): what ClusterNode needs from a membership.</summary>
internal sealed class SoloMembership(string localName) : IMembership
{
    private readonly List<Member> _members = [new Member(localName, new IPEndPoint(IPAddress.Parse("192.0.2.11"), 7450), MemberState.Alive, 1, ReadOnlyMemory<byte>.Empty)];

    public string LocalName { get; } = localName;

    public IReadOnlyList<Member> Members => [.. _members];

    public event Action<Member>? Changed;

    public void UpdateMetadata(ReadOnlyMemory<byte> metadata)
    {
        _members[0] = _members[0] with { Metadata = metadata };
        Changed?.Invoke(_members[0]);
    }

    public void Add(Member member)
    {
        _members.Add(member);
        Changed?.Invoke(member);
    }
}
