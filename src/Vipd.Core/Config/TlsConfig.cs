namespace Vipd.Core.Config;

/// <summary>TLS files for the API's TCP listener (<c>[api] tls_cert</c>, <c>tls_key</c>, <c>tls_client_ca</c>).</summary>
public sealed record TlsConfig
{
    /// <summary>PEM certificate chain, absolute path.</summary>
    public required string CertificateFile { get; init; }

    /// <summary>PEM private key, absolute path.</summary>
    public required string KeyFile { get; init; }

    /// <summary>PEM CA bundle that client certificates must chain to; null means no client certificates required.</summary>
    public string? ClientCaFile { get; init; }
}
