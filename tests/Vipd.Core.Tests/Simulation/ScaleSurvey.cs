using System.Globalization;

namespace Vipd.Core.Tests.Simulation;

/// <summary>
/// Who holds which VIP among a set of nodes of a <see cref="ClusterSwimSimulation"/>, counted for a scale test: VIPs
/// with no holder, VIPs held twice or more (the double-held addresses of issue 10), VIPs whose owner the nodes'
/// views disagree on, VIPs held by a node other than the agreed owner, and how many VIPs each node holds.
/// </summary>
internal sealed record ScaleSurvey(int Vips, int Unheld, int MultiHeld, int OwnerDisagreements, int HeldByNonOwner, IReadOnlyDictionary<string, int> HeldPerNode, string? Example)
{
    /// <summary>Every VIP has exactly one holder among the surveyed nodes, and it is the owner all of them elect.</summary>
    public bool OneHolderEach => Unheld == 0 && MultiHeld == 0 && OwnerDisagreements == 0 && HeldByNonOwner == 0;

    /// <summary>Surveys <paramref name="among"/> (up nodes only): each node's held set is its Desired set (the instant announcer).</summary>
    public static ScaleSurvey Take(ClusterSwimSimulation sim, IEnumerable<ClusterSwimSimulation.SwimNode> among)
    {
        var nodes = among.Where(n => n.Cluster is not null).ToList();
        var desired = nodes.ToDictionary(n => n.Name, n => n.Cluster!.Desired, StringComparer.Ordinal);
        var owners = nodes.ToDictionary(n => n.Name, n => n.Cluster!.Owners, StringComparer.Ordinal);
        int unheld = 0, multi = 0, disagree = 0, nonOwner = 0;
        string? example = null;
        foreach (var vip in sim.Vips)
        {
            var holders = nodes.Where(n => desired[n.Name].Contains(vip.Name)).Select(n => n.Name).ToList();
            var views = nodes.Select(n => owners[n.Name].GetValueOrDefault(vip.Name)).Distinct().ToList();
            var problem = (string?)null;
            if (holders.Count == 0)
            {
                unheld++;
                problem = "no holder";
            }
            else if (holders.Count > 1)
            {
                multi++;
                problem = "held by " + string.Join("+", holders);
            }

            if (views.Count > 1)
            {
                disagree++;
                problem ??= "owners disagree";
            }
            else if (holders.Count == 1 && views[0] != holders[0])
            {
                nonOwner++;
                problem ??= $"held by {holders[0]}, owner {views[0] ?? "none"}";
            }

            if (problem is not null && example is null)
            {
                var seen = string.Join(", ", nodes.Select(n => $"{n.Name} sees owner {owners[n.Name].GetValueOrDefault(vip.Name) ?? "none"}"));
                example = $"{vip.Name}: {problem} ({seen})";
            }
        }

        var perNode = nodes.ToDictionary(n => n.Name, n => desired[n.Name].Count, StringComparer.Ordinal);
        return new ScaleSurvey(sim.Vips.Count, unheld, multi, disagree, nonOwner, perNode, example);
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture,
            $"{Vips} VIPs: {Unheld} unheld, {MultiHeld} held by 2+ nodes, {OwnerDisagreements} owner disagreements, {HeldByNonOwner} held by a non-owner; held per node [{string.Join(", ", HeldPerNode.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"))}]{(Example is null ? string.Empty : "; e.g. " + Example)}");
}
