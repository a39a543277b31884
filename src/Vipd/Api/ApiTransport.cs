namespace Vipd.Api;

/// <summary>How a caller reached the API.</summary>
internal enum ApiTransport
{
    /// <summary>Not known (the listener recorded nothing).</summary>
    Unknown = 0,

    /// <summary>The Unix socket: peer credentials identify the caller.</summary>
    UnixSocket = 1,

    /// <summary>TCP (with TLS): a client certificate identifies the caller.</summary>
    Tcp = 2,
}
