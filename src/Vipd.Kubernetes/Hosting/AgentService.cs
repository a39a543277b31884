using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vipd.Api.V1;
using Vipd.Kubernetes.Config;
using Vipd.Kubernetes.Feed;
using Vipd.Kubernetes.Kube;

namespace Vipd.Kubernetes.Hosting;

/// <summary>The hosted service: connects to the API server and to vipd, then runs the <see cref="Agent"/>.</summary>
internal sealed class AgentService : BackgroundService
{
    private readonly K8sConfig _config;
    private readonly ILoggerFactory _loggers;

    public AgentService(K8sConfig config, ILoggerFactory loggers)
    {
        _config = config;
        _loggers = loggers;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var connection = KubeConnection.Create(_config.Kubeconfig, _config.Context);
        using var channel = VipdChannel.ForSocket(_config.VipdSocket);
        var client = new VipdService.VipdServiceClient(channel);
        using var agent = new Agent(_config, connection, client, TimeProvider.System, new Random(), _loggers);
        await agent.RunAsync(stoppingToken).ConfigureAwait(false);
    }
}
