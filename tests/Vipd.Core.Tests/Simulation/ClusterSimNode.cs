using Vipd.Core.Cluster;

namespace Vipd.Core.Tests.Simulation;

/// <summary>One simulated server: its membership and ClusterNode while up, and the local state the harness scripts.</summary>
internal sealed class ClusterSimNode(string name, int index)
{
    public string Name { get; } = name;

    public int Index { get; } = index;

    public ClusterSimMembership? Membership { get; set; }

    public ClusterNode? Cluster { get; set; }

    public bool Up => Cluster is not null;

    public int Starts { get; set; }

    public bool Maintenance { get; set; }

    /// <summary>Set while a planned stop hands over; the node leaves when done or at <see cref="StopDeadline"/>.</summary>
    public bool Stopping { get; set; }

    public TimeSpan StopDeadline { get; set; }

    public Dictionary<string, LocalVipState> Vips { get; } = new(StringComparer.Ordinal);

    /// <summary>The VIPs the (instant) announcer holds: exactly Desired while up, nothing while down.</summary>
    public IReadOnlySet<string> Held => Cluster?.Desired ?? new HashSet<string>();
}
