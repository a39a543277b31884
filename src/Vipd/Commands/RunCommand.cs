using System.CommandLine;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog.Events;
using Serilog.Extensions.Logging;
using Vipd.Core.Config;
using Vipd.Core.Crypto;
using Vipd.Hosting;
using Vipd.Linux;
using Vipd.Linux.Netlink;
using Vipd.Transport;

namespace Vipd.Commands;

/// <summary><c>vipd run --config FILE</c>: the daemon in the foreground (what the systemd unit runs).</summary>
internal static class RunCommand
{
    /// <summary>
    /// After a liveness failure the stop (no handover; unbind ≤ 5 s, STOP scripts ≤ 5 s) normally ends well within the
    /// host's 15 s limit; if it does not, the process exits anyway this long after the failure.
    /// </summary>
    private static readonly TimeSpan FailureExitLimit = TimeSpan.FromSeconds(20);

    public static Command Create()
    {
        var config = ConfigOption.Create();
        var logLevel = new Option<string?>("--log-level") { Description = "Override [logging] level: debug, information, warning, error" };
        var command = new Command("run", "Run the daemon in the foreground") { config, logLevel };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(config)!, parse.GetValue(logLevel), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string path, string? logLevel, CancellationToken cancellationToken)
    {
        StartupTrace.Mark("run");
        var result = ConfigLoader.Load(path);
        StartupTrace.Mark("config");
        if (!result.IsValid)
        {
            foreach (var error in result.Errors)
            {
                Console.Error.WriteLine(error.ToString());
            }

            return ExitCodes.ConfigInvalid;
        }

        var config = result.Config;
        var level = logLevel is null ? FromConfig(config.Logging.Level) : Logging.ParseLevel(logLevel);
        using var serilog = Logging.Create(level, config.Logging.Format == LogFormat.Json);
        StartupTrace.Mark("serilog");

        // Serilog's own factory, not LoggerFactory.Create (which builds a service provider and filter options: ~7 ms of
        // start-up): every logger, vipd's and the host's, writes through the same Serilog logger, levels set there only.
        using var loggers = new SerilogLoggerFactory(serilog);
        StartupTrace.Mark("logger-factory");

        var missing = Preflight.MissingCapabilities();
        StartupTrace.Mark("capabilities");
        if (missing.Count > 0)
        {
            return Fail(ExitCodes.NoPermission, $"vipd needs {string.Join(" and ", missing)}: run it as root or through the packaged systemd unit, which grants exactly these");
        }

        var kernelProblem = Preflight.KernelProblem();
        StartupTrace.Mark("kernel-probe");
        if (kernelProblem is { } kernel)
        {
            return Fail(ExitCodes.UnsupportedKernel, kernel);
        }

        if (KeyFilePermissions.Check(config.Cluster.KeyFile) is { } keyError)
        {
            return Fail(ExitCodes.KeyFile, keyError);
        }

        StartupTrace.Mark("key-file-checked");
        Keyring keyring;
        try
        {
            keyring = Keyring.Load(config.Cluster.KeyFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or KeyringFormatException)
        {
            return Fail(ExitCodes.KeyFile, $"cannot use key file {config.Cluster.KeyFile}: {ex.Message} (make one with `vipd keygen --output {config.Cluster.KeyFile}`)");
        }

        StartupTrace.Mark("keyring");
        NetlinkAddressManager addresses;
        try
        {
            addresses = new NetlinkAddressManager();
        }
        catch (KernelException ex)
        {
            return Fail(ExitCodes.Internal, $"cannot open rtnetlink: {ex.Message}");
        }

        StartupTrace.Mark("rtnetlink");
        foreach (var vip in config.Vips)
        {
            if (addresses.FindLink(vip.Interface) is null)
            {
                addresses.Dispose();
                return Fail(ExitCodes.UnknownInterface, $"{config.SourcePath}: VIP {vip.Name}: no interface named {vip.Interface} on this host");
            }
        }

        StartupTrace.Mark("links");
        UdpTransport transport;
        try
        {
            transport = UdpTransport.Bind(config.Node.EndPoint, loggers.CreateLogger<UdpTransport>(), TimeProvider.System);
        }
        catch (SocketException ex)
        {
            addresses.Dispose();
            var why = ex.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => "the port is in use (another vipd, or change [node] port)",
                SocketError.AddressNotAvailable => "the address is not on this host (check [node] address)",
                _ => ex.Message,
            };
            return Fail(ExitCodes.AddressInUse, $"cannot bind gossip to {config.Node.EndPoint}: {why}");
        }

        StartupTrace.Mark("gossip-bound");
        using var notifier = new SystemdNotifier(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"));
        var node = new NodeService(config, keyring, transport, addresses, notifier, TimeProvider.System, loggers);

        // SIGHUP (systemctl reload): a hitless reload, never the default "terminate".
        using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            node.RequestReload();
        });
        StartupTrace.Mark("node-service");
        using var host = DaemonHost.Build(loggers, node);
        StartupTrace.Mark("host-built");
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        ITimer? failureExit = null;
        node.Failed += () =>
        {
            // A dead or wedged loop (logged at Error): stop as on SIGTERM, minus the handover, and exit 70; a stop that
            // hangs is cut short so the node never stays up deaf.
            failureExit = TimeProvider.System.CreateTimer(
                _ =>
                {
                    serilog.Fatal("vipd did not stop within {Seconds} s of a failed loop; exiting now", FailureExitLimit.TotalSeconds);
                    Environment.Exit(ExitCodes.Internal);
                },
                null,
                FailureExitLimit,
                Timeout.InfiniteTimeSpan);
            lifetime.StopApplication();
        };
        try
        {
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
            return node.HasFailed ? ExitCodes.Internal : ExitCodes.Ok;
        }
        catch (Exception ex)
        {
            serilog.Fatal(ex, "vipd stopped on an unexpected error");
            return ExitCodes.Internal;
        }
        finally
        {
            failureExit?.Dispose();
            addresses.Dispose();
        }

        int Fail(int code, string message)
        {
            Console.Error.WriteLine($"vipd: {message}");
            return code;
        }
    }

    private static LogEventLevel FromConfig(LogLevel level) => level switch
    {
        LogLevel.Trace => LogEventLevel.Verbose,
        LogLevel.Debug => LogEventLevel.Debug,
        LogLevel.Warning => LogEventLevel.Warning,
        LogLevel.Error or LogLevel.Critical => LogEventLevel.Error,
        _ => LogEventLevel.Information,
    };
}
