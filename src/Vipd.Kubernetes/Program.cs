using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vipd.Kubernetes.Config;
using Vipd.Kubernetes.Hosting;

namespace Vipd.Kubernetes;

/// <summary><c>vipd-k8s run|check --config FILE</c>, <c>vipd-k8s version</c>.</summary>
internal static class Program
{
    private const string DefaultConfig = "/etc/vipd/vipd-k8s.toml";
    private const string Usage = "usage: vipd-k8s run|check [--config FILE] | version";

    public static async Task<int> Main(string[] args)
    {
        var verb = args.Length > 0 ? args[0] : string.Empty;
        if (verb is "version" or "--version")
        {
            Console.WriteLine($"vipd-k8s {typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion}");
            return ExitCodes.Ok;
        }

        if (verb is not ("run" or "check") || !(args.Length == 1 || (args.Length == 3 && args[1] is "--config" or "-c")))
        {
            Console.Error.WriteLine(Usage);
            return ExitCodes.Usage;
        }

        var path = args.Length == 3 ? args[2] : DefaultConfig;
        var nodeName = Environment.GetEnvironmentVariable("NODE_NAME") is { Length: > 0 } n ? n : Environment.MachineName;
        var result = ConfigLoader.Load(path, nodeName);
        if (!result.Ok)
        {
            foreach (var error in result.Errors)
            {
                Console.Error.WriteLine(error.ToString());
            }

            return ExitCodes.ConfigInvalid;
        }

        if (verb == "check")
        {
            return ExitCodes.Ok;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information);
        builder.Services.AddSystemd();
        builder.Services.AddSingleton(result.Config!);
        builder.Services.AddHostedService<AgentService>();
        if (!builder.Services.Any(s => s.ServiceType == typeof(IHostLifetime)))
        {
            builder.Services.AddSingleton<IHostLifetime, Microsoft.Extensions.Hosting.Internal.ConsoleLifetime>();
        }

        using var host = builder.Build();
        try
        {
            await host.RunAsync().ConfigureAwait(false);
            return Environment.ExitCode;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"vipd-k8s: stopped on an unexpected error: {e}");
            return ExitCodes.Internal;
        }
    }
}
