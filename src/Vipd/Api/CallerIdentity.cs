namespace Vipd.Api;

/// <summary>
/// Who is calling, as the transport proved it: the peer credentials of a Unix socket connection (SO_PEERCRED,
/// SO_PEERGROUPS) or the client certificate of a TLS connection. Set once per connection as a connection feature.
/// </summary>
/// <param name="Transport">How the caller reached the API.</param>
/// <param name="Uid">Unix socket: the peer's user id; null on TCP or when the kernel did not say.</param>
/// <param name="Gid">Unix socket: the peer's primary group id.</param>
/// <param name="Groups">Unix socket: the peer's supplementary group ids.</param>
/// <param name="CertificateSubject">TCP: the subject of a client certificate that chained to <c>tls_client_ca</c>; null without one.</param>
internal sealed record CallerIdentity(ApiTransport Transport, uint? Uid, uint? Gid, IReadOnlyList<uint> Groups, string? CertificateSubject)
{
    /// <summary>A caller the transport said nothing about: may read, never change.</summary>
    public static CallerIdentity Unknown { get; } = new(ApiTransport.Unknown, null, null, [], null);

    /// <summary>For logs and messages: "uid 1000", "certificate CN=ops", "unknown".</summary>
    public string Describe() => Transport switch
    {
        ApiTransport.UnixSocket when Uid is { } uid => $"uid {uid}",
        ApiTransport.Tcp when CertificateSubject is { } subject => $"certificate {subject}",
        ApiTransport.Tcp => "a TCP client without a client certificate",
        _ => "an unidentified caller",
    };
}
