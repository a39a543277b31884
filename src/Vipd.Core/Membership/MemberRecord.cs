using System.Net;

namespace Vipd.Core.Membership;

/// <summary>The membership's mutable record of one member (under its lock); <see cref="ToMember"/> snapshots it.</summary>
internal sealed class MemberRecord(string name, IPEndPoint address, MemberState state, uint incarnation, ReadOnlyMemory<byte> metadata)
{
    public string Name { get; } = name;

    public IPEndPoint Address { get; set; } = address;

    public MemberState State { get; set; } = state;

    public uint Incarnation { get; set; } = incarnation;

    public ReadOnlyMemory<byte> Metadata { get; set; } = metadata;

    /// <summary>TimeProvider timestamp of the last state change.</summary>
    public long StateChangedAt { get; set; }

    public Suspicion? Suspicion { get; set; }

    public bool IsLive => State is MemberState.Alive or MemberState.Suspect;

    public Member ToMember() => new(Name, Address, State, Incarnation, Metadata);
}
