using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serilog.Extensions.Logging;
using Vipd.Hosting;

namespace Vipd.Tests.Hosting;

public sealed class DaemonHostTests
{
    [Fact]
    public void Build_HostUsesVipdsLoggerFactoryShutdownTimeoutAndSystemdIntegration()
    {
        using var serilog = Logging.Create(Serilog.Events.LogEventLevel.Information, json: false);
        using var loggers = new SerilogLoggerFactory(serilog);
        var service = new RecordingService();

        using var host = DaemonHost.Build(loggers, service);

        Assert.Same(loggers, host.Services.GetRequiredService<ILoggerFactory>());
        Assert.Equal(TimeSpan.FromSeconds(15), host.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
        Assert.Same(service, Assert.Single(host.Services.GetServices<IHostedService>()));
        Assert.Null(host.Services.GetService<IStartupValidator>());

        // AddSystemd: systemd's lifetime (READY/STOPPING through its notifier) when systemd runs the process, the
        // console lifetime (SIGTERM/SIGINT/SIGQUIT stop the host) otherwise.
        var lifetime = host.Services.GetRequiredService<IHostLifetime>();
        if (SystemdHelpers.IsSystemdService())
        {
            Assert.IsType<SystemdLifetime>(lifetime);
        }
        else
        {
            Assert.IsType<ConsoleLifetime>(lifetime);
        }
    }

    [Fact]
    public async Task RunAsync_StopApplication_StartsThenStopsTheServiceWithinTheShutdownTimeout()
    {
        using var serilog = Logging.Create(Serilog.Events.LogEventLevel.Information, json: false);
        using var loggers = new SerilogLoggerFactory(serilog);
        var service = new RecordingService();
        using var host = DaemonHost.Build(loggers, service);
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();

        var run = host.RunAsync();
        await service.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(run.IsCompleted);
        lifetime.StopApplication();
        await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["start", "stop"], service.Calls);
        Assert.False(service.StopToken.IsCancellationRequested); // the 15 s limit had not passed
    }

    private sealed class RecordingService : IHostedService
    {
        public List<string> Calls { get; } = [];

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationToken StopToken { get; private set; }

        public Task StartAsync(CancellationToken cancellationToken)
        {
            Calls.Add("start");
            Started.TrySetResult();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            Calls.Add("stop");
            StopToken = cancellationToken;
            return Task.CompletedTask;
        }
    }
}
