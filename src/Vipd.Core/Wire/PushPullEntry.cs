using System.Net;
using Vipd.Core.Membership;

namespace Vipd.Core.Wire;

/// <summary>One member's state in a push/pull exchange.</summary>
internal sealed record PushPullEntry(string Name, IPEndPoint Address, uint Incarnation, MemberState State, ReadOnlyMemory<byte> Metadata);
