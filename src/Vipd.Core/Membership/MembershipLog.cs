using System.Net;
using Microsoft.Extensions.Logging;
using Vipd.Core.Wire;

namespace Vipd.Core.Membership;

/// <summary>Log messages of the membership, EventIds 2000-2099.</summary>
internal static partial class MembershipLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Member {Node} joined at {Address}, incarnation {Incarnation}")]
    public static partial void MemberJoined(this ILogger logger, string node, IPEndPoint address, uint incarnation);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Member {Node} is now {State} at incarnation {Incarnation}")]
    public static partial void MemberStateChanged(this ILogger logger, string node, MemberState state, uint incarnation);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Member {Node} suspected by {From} at incarnation {Incarnation}")]
    public static partial void MemberSuspected(this ILogger logger, string node, string from, uint incarnation);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Refuted {State} about this node at incarnation {Incarnation}; now {NewIncarnation}")]
    public static partial void Refuted(this ILogger logger, MemberState state, uint incarnation, uint newIncarnation);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Joined the cluster through {Peer}")]
    public static partial void Joined(this ILogger logger, IPEndPoint peer);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Debug, Message = "No seed answered yet (attempt {Attempt}); retrying in {ElapsedMs} ms")]
    public static partial void JoinRetry(this ILogger logger, int attempt, double elapsedMs);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "Leaving the cluster at incarnation {Incarnation}")]
    public static partial void Leaving(this ILogger logger, uint incarnation);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Debug, Message = "Dropped a datagram from {Peer}: {Reason} ({Suppressed} more dropped since the last message)")]
    public static partial void Dropped(this ILogger logger, IPEndPoint peer, DropReason reason, long suppressed);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Error, Message = "Processing a datagram from {Peer} failed")]
    public static partial void ProcessingFailed(this ILogger logger, IPEndPoint peer, Exception exception);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Error, Message = "A membership Changed handler failed for {Node}")]
    public static partial void HandlerFailed(this ILogger logger, string node, Exception exception);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Warning,
        Message = "Another process at {Address} claims this node's name {Node}; node names must be unique")]
    public static partial void NameConflict(this ILogger logger, string node, IPEndPoint address);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "Sending a gossip datagram to {Peer} failed")]
    public static partial void SendFailed(this ILogger logger, IPEndPoint peer, Exception exception);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Warning,
        Message = "Refusing gossip from {Peer}: it is wire format {Old} (vipd 0.1.0, no authenticated sender or recipient); this node speaks format {New} only. Upgrade that node; the two formats do not form one cluster (ARCHITECTURE.md, \"Rolling upgrade from 0.1.0\"). Counted as dropped (legacy_version); said once per address")]
    public static partial void LegacyDatagram(this ILogger logger, IPEndPoint peer, byte old, byte @new);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Warning,
        Message = "The member table is full ({Max} members): ignoring new member {Node} at {Address}. Counted as dropped (member_table_full); said at most once a minute")]
    public static partial void MemberTableFull(this ILogger logger, int max, string node, IPEndPoint address);

    [LoggerMessage(EventId = 2015, Level = LogLevel.Warning,
        Message = "Refusing incarnation {Incarnation} for {Node}: above this node's clock plus the allowed lead ({Ceiling}); a key holder gossips nonsense or a clock is far off. Counted as dropped (incarnation_out_of_range); said at most once a minute")]
    public static partial void IncarnationOutOfRange(this ILogger logger, string node, uint incarnation, uint ceiling);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Error, Message = "A membership timer failed")]
    public static partial void TimerFailed(this ILogger logger, Exception exception);
}
