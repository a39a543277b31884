using System.Net;
using Vipd.Core.Crypto;

namespace Vipd.Core.Membership;

/// <summary>The membership's mutable record of one member (under its lock); <see cref="ToMember"/> snapshots it.</summary>
internal sealed class MemberRecord(string name, IPEndPoint address, MemberState state, uint incarnation, ReadOnlyMemory<byte> metadata)
{
    public string Name { get; } = name;

    /// <summary>What datagrams for this member are sealed to (<see cref="DatagramProtector.RecipientId"/>).</summary>
    public ulong RecipientId { get; } = DatagramProtector.RecipientId(name);

    public IPEndPoint Address { get; set; } = address;

    public MemberState State { get; set; } = state;

    public uint Incarnation { get; set; } = incarnation;

    /// <summary>The metadata as gossiped: the body itself, or a <see cref="MetadataReference"/> to it.</summary>
    public ReadOnlyMemory<byte> Metadata { get; set; } = metadata;

    /// <summary>The latest whole, hash-verified body (what the layers above see); it lags <see cref="Metadata"/> while a fetch runs.</summary>
    public ReadOnlyMemory<byte> Resolved { get; set; } = MetadataReference.TryRead(metadata.Span, out _, out _) ? ReadOnlyMemory<byte>.Empty : metadata;

    /// <summary>The hash of <see cref="Resolved"/> when it came by reference; 0 otherwise.</summary>
    public ulong ResolvedHash { get; set; }

    /// <summary>The body being fetched, if any.</summary>
    public MetadataFetch? Fetch { get; set; }

    /// <summary>A body that completed before the alive naming it arrived (reordering): used when it does.</summary>
    public (ulong Hash, byte[] Body)? Early { get; set; }

    /// <summary>TimeProvider timestamp of the last state change.</summary>
    public long StateChangedAt { get; set; }

    public Suspicion? Suspicion { get; set; }

    public bool IsLive => State is MemberState.Alive or MemberState.Suspect;

    public Member ToMember() => new(Name, Address, State, Incarnation, Resolved);
}
