namespace Vipd.Core.Config;

/// <summary>
/// Scripts run when this node's state for a VIP changes, as keepalived's <c>notify_master</c>/<c>backup</c>/
/// <c>fault</c>/<c>stop</c>: each an argv (no shell), run asynchronously, killed after <see cref="Timeout"/>.
/// An empty array runs nothing.
/// </summary>
public sealed record NotifyConfig
{
    /// <summary>No scripts.</summary>
    public static readonly NotifyConfig None = new() { Timeout = ConfigDefaults.NotifyTimeout };

    /// <summary>Run when this node takes the VIP (bound and announced).</summary>
    public EquatableArray<string> Master { get; init; }

    /// <summary>Run when this node no longer holds the VIP but could (another node holds it), and at start.</summary>
    public EquatableArray<string> Backup { get; init; }

    /// <summary>Run when this node cannot hold the VIP (its interface is down, a check fails).</summary>
    public EquatableArray<string> Fault { get; init; }

    /// <summary>Run when vipd stops.</summary>
    public EquatableArray<string> Stop { get; init; }

    /// <summary>How long a script may run before it is killed.</summary>
    public required TimeSpan Timeout { get; init; }

    /// <summary>The argv for a state (MASTER, BACKUP, FAULT, STOP).</summary>
    public EquatableArray<string> For(string state) => state switch
    {
        "MASTER" => Master,
        "BACKUP" => Backup,
        "FAULT" => Fault,
        "STOP" => Stop,
        _ => default,
    };
}
