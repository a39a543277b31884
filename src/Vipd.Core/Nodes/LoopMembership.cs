using Vipd.Core.Membership;

namespace Vipd.Core.Nodes;

/// <summary>
/// The membership as the election sees it: its changes, raised on the gossip loop, reach the election on the node
/// loop. Reads and metadata updates go straight to the (thread-safe) membership.
/// </summary>
internal sealed class LoopMembership : IMembership, IDisposable
{
    private readonly IMembership _inner;
    private readonly INodeLoop _loop;

    public LoopMembership(IMembership inner, INodeLoop loop)
    {
        _inner = inner;
        _loop = loop;
        inner.Changed += OnChanged;
    }

    public event Action<Member>? Changed;

    public string LocalName => _inner.LocalName;

    public IReadOnlyList<Member> Members => _inner.Members;

    public void UpdateMetadata(ReadOnlyMemory<byte> metadata) => _inner.UpdateMetadata(metadata);

    public void Dispose() => _inner.Changed -= OnChanged;

    private void OnChanged(Member member) => _loop.Post(() => Changed?.Invoke(member));
}
