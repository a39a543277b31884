namespace Vipd.Bgp;

/// <summary>What one read of FRR's BGP sessions (<c>show bgp neighbors json</c>) came to.</summary>
internal enum SessionReadKind
{
    /// <summary>bgpd answered with its session table: authoritative, whatever the sessions' state.</summary>
    Answered,

    /// <summary>
    /// FRR is not there to answer (no vty socket and no vtysh, connection refused, vtysh says bgpd is not running) or
    /// bgpd refused the command: no session, at once.
    /// </summary>
    Definite,

    /// <summary>
    /// No usable answer from a bgpd that may be alive (no answer within the timeout, a partial or garbled answer, the
    /// socket's backlog full): the last known state stands for a bounded while (<see cref="SessionReadTracker"/>).
    /// </summary>
    Transient,
}
