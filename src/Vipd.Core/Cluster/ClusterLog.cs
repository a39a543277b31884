using Microsoft.Extensions.Logging;
using Vipd.Core.Election;

namespace Vipd.Core.Cluster;

/// <summary>Log messages of the cluster orchestrator: event ids 4000-4099.</summary>
internal static partial class ClusterLog
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "VIP {Vip} owner {From} -> {To}: {Reason}")]
    public static partial void OwnerChanged(this ILogger logger, string vip, string from, string to, string reason);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "VIP {Vip} acquired by this node: {Reason}")]
    public static partial void Acquiring(this ILogger logger, string vip, string reason);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "VIP {Vip} released by this node: {Reason}")]
    public static partial void Releasing(this ILogger logger, string vip, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Quorum lost: {Live} of {Expected} nodes live, {Needed} needed; releasing every VIP")]
    public static partial void QuorumLost(this ILogger logger, int live, int expected, int needed);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "Quorum regained: {Live} of {Expected} nodes live")]
    public static partial void QuorumRegained(this ILogger logger, int live, int expected);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "VIP {Vip} also claimed by {Peer}; this node owns it and re-announces")]
    public static partial void OtherClaimant(this ILogger logger, string vip, string peer);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Error, Message = "VIP {Vip} has the same 64-bit key as VIP {Other}; neither is elected until one is renamed")]
    public static partial void VipIdCollision(this ILogger logger, string vip, string other);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Warning, Message = "Member {Node} runs vipd 0.1 (node record format 1): it cannot see this node's claims, so every VIP it claims is left to it until it is upgraded; with more than 84 VIPs a 0.1 node hides some of its claims")]
    public static partial void LegacyMember(this ILogger logger, string node);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Warning, Message = "Member {Node} has known other VIPs, or other VIP settings (preempt, preempt_delay, nodes), than this node for {ElapsedMs} ms: do the configs disagree? A VIP that both hold stays with the lower-named node")]
    public static partial void ConfigsDisagree(this ILogger logger, string node, long elapsedMs);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Information, Message = "Handover begun: draining; {Count} VIPs stay until their successors claim them or {ElapsedMs} ms pass")]
    public static partial void HandoverBegun(this ILogger logger, int count, long elapsedMs);

    [LoggerMessage(EventId = 4009, Level = LogLevel.Information, Message = "Handover complete: this node holds no VIP")]
    public static partial void HandoverComplete(this ILogger logger);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Debug, Message = "Member {Node} carries an undecodable record: {Reason}")]
    public static partial void BadRecord(this ILogger logger, string node, NodeRecordError reason);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Information, Message = "Drain ended: this node is eligible again")]
    public static partial void HandoverEnded(this ILogger logger);
}
