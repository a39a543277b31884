using System.Net;
using Vipd.Core.Checks;
using Vipd.Core.Nodes;
using Vipd.Core.Reconcile;

namespace Vipd.Core.Tests.Simulation.WholeNode;

/// <summary>One simulated server: its kernel survives a daemon restart, its <see cref="Node"/> and loop do not.</summary>
internal sealed class SimHost(int index, string name, IPEndPoint endpoint)
{
    public int Index { get; } = index;

    public string Name { get; } = name;

    public IPEndPoint Endpoint { get; } = endpoint;

    public SimKernel Kernel { get; set; } = new(index + 1);

    public SimConflictMonitor Conflicts { get; set; } = new();

    public SimNetworkMonitor Monitor { get; set; } = new();

    public SimLoop? Loop { get; set; }

    public Node? Node { get; set; }

    /// <summary>Host down (power off, cable pulled, process gone): holds nothing, hears nothing.</summary>
    public bool Crashed { get; set; }

    public bool Frozen { get; set; }

    public bool CheckPassing { get; set; } = true;

    /// <summary>What the host's FRR says of its BGP sessions (the simulation stands in for FRR).</summary>
    public BgpSessions BgpSessions { get; set; } = BgpSessions.Established;

    public bool Maintenance { get; set; }

    /// <summary>The process runs and can hold VIPs (frozen counts: its kernel still answers for them).</summary>
    public bool Up => !Crashed && Node is not null;

    public IReadOnlyDictionary<string, CheckStatus> CheckResults => new Dictionary<string, CheckStatus>(StringComparer.Ordinal)
    {
        ["svc"] = new CheckStatus("svc", CheckPassing, CheckPassing ? "ok" : "failing", null),
    };

    public void SetLink(bool up)
    {
        Kernel.LinkUp = up;
        Monitor.Raise(new NetworkChange(NetworkChangeKind.LinkChanged, SimKernel.LinkIndex, LinkUp: up));
    }
}
