namespace Vipd.Bgp;

/// <summary>
/// The outcome of one read of FRR's BGP sessions: the sessions with configured peers Established per family when
/// bgpd answered, else why not.
/// </summary>
internal readonly record struct SessionRead(SessionReadKind Kind, (int IPv4, int IPv6) Established, string Reason)
{
    public static SessionRead Answered((int IPv4, int IPv6) established) => new(SessionReadKind.Answered, established, string.Empty);

    public static SessionRead Definite(string reason) => new(SessionReadKind.Definite, (0, 0), reason);

    public static SessionRead Transient(string reason) => new(SessionReadKind.Transient, (0, 0), reason);
}
