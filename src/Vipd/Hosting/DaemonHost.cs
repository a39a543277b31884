using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Vipd.Hosting;

/// <summary>
/// The generic host <c>vipd run</c> runs under (Microsoft.Extensions.Hosting with Microsoft.Extensions.Hosting.Systemd:
/// <c>SystemdLifetime</c> under systemd, <c>ConsoleLifetime</c> otherwise; SIGTERM/SIGINT stop it, the stop gets
/// <see cref="ShutdownTimeout"/>), built with no configuration sources and with the services it resolves before READY
/// given as instances. Under NativeAOT the container makes each open-generic service it resolves (an
/// <c>IOptions&lt;T&gt;</c>, its factory and their <c>IEnumerable</c>s) at run time through the type loader: with the
/// defaults the host cost ~11.6 ms before READY at p50 on the loaded 2-core lab machine, ~1 ms built this way
/// (tests/Vipd.Benchmarks/README.md § startup).
/// </summary>
internal static class DaemonHost
{
    /// <summary>How long the stop (handover, unbind, leave, STOP scripts; ~6 s at most) may take before its token is cancelled.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Builds the host around <paramref name="service"/>, logging through <paramref name="loggers"/>.</summary>
    public static IHost Build<TService>(ILoggerFactory loggers, TService service)
        where TService : class, IHostedService
    {
        ArgumentNullException.ThrowIfNull(loggers);
        ArgumentNullException.ThrowIfNull(service);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var services = builder.Services;

        // The host's own loggers come from vipd's factory (Serilog's, levels set there), not from one the container
        // would build with filter options; last registration wins.
        services.AddSingleton(loggers);
        services.AddSystemd();
        services.AddSingleton<IOptions<HostOptions>>(Options.Create(new HostOptions { ShutdownTimeout = ShutdownTimeout }));
        services.AddSingleton<IOptions<ConsoleLifetimeOptions>>(Options.Create(new ConsoleLifetimeOptions()));
        services.AddSingleton<ILogger<ApplicationLifetime>>(new Logger<ApplicationLifetime>(loggers));

        // The only start-up validator registered is the one AddMetrics (which the builder always calls) adds for the
        // container's metrics options; vipd has its own metrics and validates its own config before this. Resolving it
        // costs the container an IOptionsMonitor and an options factory made at run time: the largest part of
        // Host.StartAsync before the first hosted service starts.
        services.RemoveAll<IStartupValidator>();
        services.AddHostedService(_ => service);
        if (!services.Any(s => s.ServiceType == typeof(IHostLifetime)))
        {
            services.AddSingleton<IHostLifetime, ConsoleLifetime>();
        }

        return builder.Build();
    }
}
