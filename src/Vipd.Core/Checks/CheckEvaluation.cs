using System.Globalization;
using Vipd.Core.Config;

namespace Vipd.Core.Checks;

/// <summary>What a VIP's checks say about this node: the pure rule shared by the node and its tests.</summary>
public static class CheckEvaluation
{
    /// <summary>
    /// What <paramref name="vip"/>'s checks say about this node, from the statuses in <paramref name="current"/>.
    /// A check without status (not run yet) or unknown to <paramref name="checks"/> makes the node ineligible;
    /// a failing check with weight 0 makes it ineligible; a failing check with another weight adds that weight
    /// to the priority shift; a passing file check with a value adds the value. Reasons of every check that
    /// counts are joined with "; ".
    /// </summary>
    public static CheckVerdict Evaluate(VipConfig vip, IReadOnlyDictionary<string, CheckStatus> current, IReadOnlyDictionary<string, CheckConfig> checks)
    {
        ArgumentNullException.ThrowIfNull(vip);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(checks);
        if (vip.Checks.IsEmpty)
        {
            return new CheckVerdict(true, 0, "no checks");
        }

        var eligible = true;
        long shift = 0;
        List<string>? reasons = null;
        foreach (var name in vip.Checks)
        {
            string? reason;
            if (!checks.TryGetValue(name, out var check))
            {
                eligible = false;
                reason = $"check {name} is not defined";
            }
            else if (!current.TryGetValue(name, out var status))
            {
                eligible = false;
                reason = $"check {name} has not run yet";
            }
            else if (!status.Passing && check.Weight == 0)
            {
                eligible = false;
                reason = $"check {name} is failing: {status.Detail}";
            }
            else if (!status.Passing)
            {
                shift += check.Weight;
                reason = string.Create(CultureInfo.InvariantCulture, $"check {name} is failing ({check.Weight:+0;-0}): {status.Detail}");
            }
            else if (status.FileValue is { } value)
            {
                shift += value;
                reason = string.Create(CultureInfo.InvariantCulture, $"check {name} value {value:+0;-0;0}");
            }
            else
            {
                reason = null;
            }

            if (reason is not null)
            {
                (reasons ??= []).Add(reason);
            }
        }

        var clamped = (int)Math.Clamp(shift, int.MinValue, int.MaxValue);
        return new CheckVerdict(eligible, clamped, reasons is null ? "all checks passing" : string.Join("; ", reasons));
    }
}
