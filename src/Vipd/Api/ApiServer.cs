using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Grpc.AspNetCore.Server.Model;
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
/// <para>
/// Lazy: the Unix socket is bound and listening from the start, so callers queue in its backlog, but Kestrel and gRPC
/// (about 12 MiB of an idle node's RSS) start only when the first connection arrives, and serve it. With
/// <c>[api] tcp</c> set, Kestrel starts at once.
/// </para>
/// </summary>
internal sealed partial class ApiServer : IAsyncDisposable
{
    /// <summary>The group that owns the socket when it exists (made by the package's sysusers file).</summary>
    public const string SocketGroup = "vipd";

    /// <summary>
    /// <c>vipd.v1.VipdService</c>, the health service's name for the API (what <c>VipdService.Descriptor.FullName</c>
    /// says; a constant because building the proto's descriptors costs ~1–3 ms of start-up before READY).
    /// </summary>
    internal const string VipdServiceName = "vipd.v1.VipdService";

    /// <summary>Connections that may wait in the Unix socket's queue (Kestrel's default).</summary>
    private const int Backlog = 512;

    private readonly ApiConfig _config;
    private readonly INodeApi _node;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly AccessPolicy _policy;
    private readonly Socket _listening;
    private readonly HealthServiceImpl _health = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task<WebApplication?> _serving = Task.FromResult<WebApplication?>(null);

    private ApiServer(ApiConfig config, INodeApi node, ILoggerFactory loggers, ILogger logger, AccessPolicy policy, Socket listening)
    {
        _config = config;
        _node = node;
        _loggers = loggers;
        _logger = logger;
        _policy = policy;
        _listening = listening;
    }

    /// <summary>
    /// Binds the listeners; Kestrel serves from the first connection on (at once with <c>[api] tcp</c>). Throws
    /// <see cref="IOException"/> or <see cref="SocketException"/> when the socket cannot be served.
    /// </summary>
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

        Hosting.StartupTrace.Mark("t-api-policy");
        UnixSocketFile.Prepare(config.Socket);
        Hosting.StartupTrace.Mark("t-api-prepared");
        var listening = Listen(config.Socket, logger);
        Hosting.StartupTrace.Mark("t-api-listen");
        var server = new ApiServer(config, node, loggers, logger, policy, listening);
        Hosting.StartupTrace.Mark("t-api-server");
        server.SetStatus(HealthCheckResponse.Types.ServingStatus.Serving);
        Hosting.StartupTrace.Mark("t-api-health");
        if (config.Tcp is { } tcp)
        {
            try
            {
                server._serving = Task.FromResult<WebApplication?>(await server.StartKestrelAsync(first: null, cancellationToken).ConfigureAwait(false));
            }
            catch
            {
                listening.Dispose();
                throw;
            }
        }
        else
        {
            server._serving = server.ServeOnFirstConnectionAsync();
        }

        LogListening(logger, config.Socket, config.Tcp is { } endPoint ? endPoint.ToString() : "off");
        return server;
    }

    /// <summary>Says NOT_SERVING on the health service (shutting down); calls in flight finish.</summary>
    public void SetNotServing() => SetStatus(HealthCheckResponse.Types.ServingStatus.NotServing);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        SetNotServing();
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (await _serving.ConfigureAwait(false) is { } app)
        {
            await app.StopAsync(cancellationToken).ConfigureAwait(false);
        }

        _listening.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (await _serving.ConfigureAwait(false) is { } app)
        {
            await app.DisposeAsync().ConfigureAwait(false);
        }

        _listening.Dispose();
        _stopping.Dispose();
    }

    /// <summary>Binds the Unix socket, gives it mode 0660 and group vipd (before anyone can connect), and listens.</summary>
    private static Socket Listen(string path, ILogger logger)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            if (UnixSocketFile.Secure(path, AccessPolicy.LocalGroupId(SocketGroup)) is { } error)
            {
                LogChownFailed(logger, path, SocketGroup, error);
            }

            socket.Listen(Backlog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Waits (without a thread) for the first caller, then starts Kestrel, which serves that caller first.</summary>
    private async Task<WebApplication?> ServeOnFirstConnectionAsync()
    {
        Socket? first = null;
        try
        {
            first = await _listening.AcceptAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException
            || ex is SocketException { SocketErrorCode: SocketError.OperationAborted })
        {
            return null; // stopped before anyone called
        }
        catch (SocketException)
        {
            // Reset while it waited in the backlog: Kestrel starts anyway and accepts the next caller.
        }

        var started = TimeProvider.System.GetTimestamp();
        try
        {
            var app = await StartKestrelAsync(first, _stopping.Token).ConfigureAwait(false);
            var elapsed = TimeProvider.System.GetElapsedTime(started);
            LogStarted(_logger, (long)elapsed.TotalMilliseconds);
            return app;
        }
        catch (Exception ex) when (ex is IOException or SocketException or InvalidOperationException or OperationCanceledException)
        {
            first?.Dispose();
            if (!_stopping.IsCancellationRequested)
            {
                LogStartFailed(_logger, _config.Socket, ex.Message);
            }

            return null;
        }
    }

    private async Task<WebApplication> StartKestrelAsync(Socket? first, CancellationToken cancellationToken)
    {
        var config = _config;
        var unix = new ApiSocketEndPoint(config.Socket);
        // The empty builder: no config files, environment variables or file watchers (start-up time), only Kestrel.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton(_loggers);
        builder.Services.AddSingleton<IConnectionListenerFactory>(new PreboundListenerFactory(unix, _listening, first, _loggers));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(unix, listen =>
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
        builder.Services.AddSingleton(_health);
        builder.Services.AddSingleton(new VipdApiService(_node, _policy, _logger));
        builder.Services.AddSingleton<VipdApiEndpoint>();
        builder.Services.AddSingleton<IServiceMethodProvider<VipdApiEndpoint>, VipdApiMethodProvider>();

        var app = builder.Build();
        app.MapGrpcService<VipdApiEndpoint>();
        app.MapGrpcService<HealthServiceImpl>();
        app.MapGrpcService<ReflectionServiceImpl>();
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return app;
    }

    private void SetStatus(HealthCheckResponse.Types.ServingStatus status)
    {
        _health.SetStatus(string.Empty, status);
        _health.SetStatus(VipdServiceName, status);
    }

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

    [LoggerMessage(EventId = 7113, Level = LogLevel.Information, Message = "API started on its first connection in {ElapsedMs} ms")]
    private static partial void LogStarted(ILogger logger, long elapsedMs);

    [LoggerMessage(EventId = 7114, Level = LogLevel.Error, Message = "API on {Socket} cannot start: {Reason}; the node runs without its API")]
    private static partial void LogStartFailed(ILogger logger, string socket, string reason);
}
