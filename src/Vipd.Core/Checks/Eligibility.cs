using Vipd.Core.Config;

namespace Vipd.Core.Checks;

/// <summary>
/// The one home of a node's eligibility and priority for a VIP, from the shared config and the node's check and link
/// verdicts. A node evaluates it for itself, and a peer evaluates it for that node from the verdicts gossiped in its
/// record (format 3): the same pure function, so both arrive at the same standing when their configs agree.
/// </summary>
public static class Eligibility
{
    /// <summary>
    /// <paramref name="node"/>'s standing for <paramref name="vip"/>: eligible while the VIP's interface is up, for a
    /// BGP VIP while the node has a BGP session of the VIP's address family Established (it could not advertise the VIP otherwise), and while its
    /// checks allow it (<see cref="CheckEvaluation.Evaluate"/>); the priority is the VIP's priority for that node plus
    /// the checks' shift, clamped to 1–255.
    /// </summary>
    public static (bool Eligible, int Priority, string Reason) Evaluate(
        VipConfig vip,
        string node,
        IReadOnlyDictionary<string, CheckStatus> checks,
        IReadOnlyDictionary<string, CheckConfig> checkConfigs,
        LinkState link,
        BgpSessions bgp)
    {
        ArgumentNullException.ThrowIfNull(vip);
        ArgumentNullException.ThrowIfNull(node);
        var verdict = CheckEvaluation.Evaluate(vip, checks, checkConfigs);
        var priority = (int)Math.Clamp((long)vip.PriorityOf(node) + verdict.PriorityShift, ConfigDefaults.MinPriority, ConfigDefaults.MaxPriority);
        return link switch
        {
            LinkState.Up when vip.Mode == VipMode.Bgp && bgp.For(vip) != BgpSessionState.Established => (false, priority, bgp.For(vip) == BgpSessionState.Unknown
                ? "no BGP session known yet (FRR not read since vipd started)"
                : $"no BGP session Established with an {(vip.IsIPv6 ? "IPv6" : "IPv4")} [[bgp.peer]]: this node could not advertise the VIP"),
            LinkState.Up => (verdict.Eligible, priority, verdict.Reason),
            LinkState.Down => (false, priority, $"interface {vip.Interface} is down"),
            _ => (false, priority, $"interface {vip.Interface} is gone"),
        };
    }
}
