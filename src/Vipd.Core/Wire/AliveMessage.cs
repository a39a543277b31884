using System.Net;

namespace Vipd.Core.Wire;

/// <summary>A member is alive at an incarnation, with its address and metadata (only the member raises its incarnation).</summary>
internal sealed record AliveMessage(uint Incarnation, string Name, IPEndPoint Address, ReadOnlyMemory<byte> Metadata) : WireMessage
{
    public override MessageType Type => MessageType.Alive;
}
