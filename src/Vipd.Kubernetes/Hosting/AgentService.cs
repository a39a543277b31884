using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vipd.Api.V1;
using Vipd.Kubernetes.Config;
using Vipd.Kubernetes.Feed;
using Vipd.Kubernetes.Kube;

namespace Vipd.Kubernetes.Hosting;

/// <summary>The hosted service: connects to the API server and to vipd, then runs the <see cref="Agent"/>.</summary>
internal sealed partial class AgentService : BackgroundService
{
    private readonly K8sConfig _config;
    private readonly ILoggerFactory _loggers;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger _logger;

    public AgentService(K8sConfig config, ILoggerFactory loggers, IHostApplicationLifetime lifetime)
    {
        _config = config;
        _loggers = loggers;
        _lifetime = lifetime;
        _logger = loggers.CreateLogger("Vipd.Kubernetes");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        KubeConnection connection;
        try
        {
            connection = KubeConnection.Create(_config.Kubeconfig, _config.Context);
        }
        catch (Exception e)
        {
            // A missing or unreadable kubeconfig, or no service account outside a pod: one line, then exit.
            Failed(_logger, _config.Kubeconfig ?? "the in-cluster service account", e.Message);
            Environment.ExitCode = ExitCodes.Internal;
            _lifetime.StopApplication();
            return;
        }

        using (connection)
        {
            Started(_logger, _config.NodeName, _config.VipdSocket, connection.BaseUri);
            using var channel = VipdChannel.ForSocket(_config.VipdSocket);
            var client = new VipdService.VipdServiceClient(channel);
            using var agent = new Agent(_config, connection, client, TimeProvider.System, new Random(), _loggers);
            await agent.RunAsync(stoppingToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "vipd-k8s on node {Node}: vipd at {Socket}, API server {Server}")]
    private static partial void Started(ILogger logger, string node, string socket, Uri server);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Critical, Message = "Cannot connect to Kubernetes with {Source}: {Reason}")]
    private static partial void Failed(ILogger logger, string source, string reason);
}
