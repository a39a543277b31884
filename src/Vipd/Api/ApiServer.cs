using System.Security.Cryptography.X509Certificates;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Grpc.Reflection;
using Grpc.Reflection.V1Alpha;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vipd.Core.Config;

namespace Vipd.Api;

/// <summary>
/// The gRPC API: Kestrel with HTTP/2 on the Unix socket (<c>[api] socket</c>, mode 0660, group vipd when it exists)
/// and, when configured, on TCP with TLS (client certificates required when <c>tls_client_ca</c> is set). Serves
/// <c>vipd.v1.VipdService</c>, gRPC server reflection and <c>grpc.health.v1</c>. Each connection records who the
/// caller is (<see cref="CallerIdentity"/>) for <see cref="AccessPolicy"/>.
/// </summary>
internal sealed partial class ApiServer : IAsyncDisposable
{
    /// <summary>The group that owns the socket when it exists (made by the package's sysusers file).</summary>
    public const string SocketGroup = "vipd";

    private readonly WebApplication _app;
    private readonly HealthServiceImpl _health;

    private ApiServer(WebApplication app, HealthServiceImpl health)
    {
        _app = app;
        _health = health;
    }

    /// <summary>Binds the listeners and starts serving; throws <see cref="IOException"/> when the socket cannot be served.</summary>
    public static async Task<ApiServer> StartAsync(ApiConfig config, INodeApi node, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(loggers);
        var logger = loggers.CreateLogger("Vipd.Api");
        var policy = new AccessPolicy(config.MutatingGroup, config.MutatingGroup is { } group ? AccessPolicy.LocalGroupId(group) : null);
        if (config.MutatingGroup is { } missing && policy.MutatingGroupId is null)
        {
            LogGroupMissing(logger, missing);
        }

        UnixSocketFile.Prepare(config.Socket);
        // The empty builder: no config files, environment variables or file watchers (start-up time), only Kestrel.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton(loggers);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.ListenUnixSocket(config.Socket, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.Use(next => connection =>
                {
                    var socket = connection.Features.Get<IConnectionSocketFeature>()?.Socket;
                    connection.Features.Set(socket is null ? CallerIdentity.Unknown : PeerCredentials.Read(socket));
                    return next(connection);
                });
            });
            if (config.Tcp is { } tcp)
            {
                kestrel.Listen(tcp, listen =>
                {
                    listen.Protocols = HttpProtocols.Http2;
                    if (config.Tls is { } tls)
                    {
                        listen.UseHttps(Https(tls));
                    }

                    listen.Use(next => (ConnectionDelegate)(connection =>
                    {
                        var certificate = connection.Features.Get<ITlsConnectionFeature>()?.ClientCertificate;
                        connection.Features.Set(new CallerIdentity(ApiTransport.Tcp, null, null, [], certificate?.Subject));
                        return next(connection);
                    }));
                });
            }
        });
        builder.Services.AddGrpc();
        // Reflection over explicit descriptors: Grpc.AspNetCore.Server.Reflection's AddGrpcReflection discovers services
        // through reflection and is not trim-safe (IL2104 under NativeAOT).
        builder.Services.AddSingleton(new ReflectionServiceImpl(V1.VipdService.Descriptor, Health.Descriptor, ServerReflection.Descriptor));
        var health = new HealthServiceImpl();
        builder.Services.AddSingleton(health);
        builder.Services.AddSingleton(new VipdApiService(node, policy, loggers.CreateLogger("Vipd.Api")));

        var app = builder.Build();
        app.MapGrpcService<VipdApiService>();
        app.MapGrpcService<HealthServiceImpl>();
        app.MapGrpcService<ReflectionServiceImpl>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        var socketGroup = AccessPolicy.LocalGroupId(SocketGroup);
        if (UnixSocketFile.Secure(config.Socket, socketGroup) is { } error)
        {
            LogChownFailed(logger, config.Socket, SocketGroup, error);
        }

        health.SetStatus(string.Empty, HealthCheckResponse.Types.ServingStatus.Serving);
        health.SetStatus(V1.VipdService.Descriptor.FullName, HealthCheckResponse.Types.ServingStatus.Serving);
        LogListening(logger, config.Socket, config.Tcp is { } endPoint ? endPoint.ToString() : "off");
        return new ApiServer(app, health);
    }

    /// <summary>Says NOT_SERVING on the health service (shutting down); calls in flight finish.</summary>
    public void SetNotServing()
    {
        _health.SetStatus(string.Empty, HealthCheckResponse.Types.ServingStatus.NotServing);
        _health.SetStatus(V1.VipdService.Descriptor.FullName, HealthCheckResponse.Types.ServingStatus.NotServing);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        SetNotServing();
        await _app.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync().ConfigureAwait(false);

    private static HttpsConnectionAdapterOptions Https(TlsConfig tls)
    {
        var options = new HttpsConnectionAdapterOptions
        {
            ServerCertificate = X509Certificate2.CreateFromPemFile(tls.CertificateFile, tls.KeyFile),
            ClientCertificateMode = ClientCertificateMode.NoCertificate,
        };
        if (tls.ClientCaFile is { } caFile)
        {
            var authorities = new X509Certificate2Collection();
            authorities.ImportFromPemFile(caFile);
            options.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
            options.ClientCertificateValidation = (certificate, _, _) => ChainsTo(certificate, authorities);
        }

        return options;
    }

    /// <summary>True when <paramref name="certificate"/> chains to one of <paramref name="authorities"/> (and only to them), for client authentication.</summary>
    public static bool ChainsTo(X509Certificate2 certificate, X509Certificate2Collection authorities)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(authorities);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2")); // clientAuth
        return chain.Build(certificate);
    }

    [LoggerMessage(EventId = 7110, Level = LogLevel.Information, Message = "API listening on {Socket} (tcp: {Address})")]
    private static partial void LogListening(ILogger logger, string socket, string address);

    [LoggerMessage(EventId = 7111, Level = LogLevel.Warning, Message = "[api] mutating_group {Group} does not exist on this host: only root may change state through the API")]
    private static partial void LogGroupMissing(ILogger logger, string group);

    [LoggerMessage(EventId = 7112, Level = LogLevel.Warning, Message = "Cannot give {Socket} to group {Group}: {Reason}")]
    private static partial void LogChownFailed(ILogger logger, string socket, string group, string reason);
}
