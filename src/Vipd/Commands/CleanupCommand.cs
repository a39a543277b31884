using System.CommandLine;
using Vipd.Core.Config;
using Vipd.Core.Reconcile;
using Vipd.Hosting;
using Vipd.Linux;
using Vipd.Linux.Neighbor;
using Vipd.Linux.Netlink;

namespace Vipd.Commands;

/// <summary>
/// <c>vipd cleanup --config FILE</c>: removes every VIP address vipd added on this host (marked with vipd's address
/// protocol), never an operator's address. systemd runs it as <c>ExecStopPost=</c>, so a crash leaves nothing bound.
/// </summary>
internal static class CleanupCommand
{
    public static Command Create()
    {
        var config = ConfigOption.Create();
        var command = new Command("cleanup", "Remove this node's VIP addresses from its interfaces") { config };
        command.SetAction(parse => Run(parse.GetValue(config)!));
        return command;
    }

    private static int Run(string path)
    {
        // The config is read for its errors only: cleanup must work even when the key file is gone.
        var result = ConfigLoader.Load(path, new ConfigLoadOptions { CheckFiles = false });
        if (!result.IsValid)
        {
            foreach (var error in result.Errors)
            {
                Console.Error.WriteLine(error.ToString());
            }

            return ExitCodes.ConfigInvalid;
        }

        var missing = Preflight.MissingCapabilities();
        if (missing.Count > 0)
        {
            Console.Error.WriteLine($"vipd: cleanup needs {string.Join(" and ", missing)} (run as root or give the capabilities)");
            return ExitCodes.NoPermission;
        }

        if (Preflight.KernelProblem() is { } kernel)
        {
            Console.Error.WriteLine($"vipd: {kernel}");
            return ExitCodes.UnsupportedKernel;
        }

        try
        {
            using var addresses = new NetlinkAddressManager();
            using var announcer = new Announcer(addresses, new NeighborAnnouncer(), null, null, TimeProvider.System);
            var removed = announcer.CleanupAll();
            Console.Out.WriteLine($"vipd: removed {removed} VIP address{(removed == 1 ? string.Empty : "es")}");
            return ExitCodes.Ok;
        }
        catch (KernelException ex)
        {
            Console.Error.WriteLine($"vipd: {ex.Message}");
            return ExitCodes.Internal;
        }
    }
}
