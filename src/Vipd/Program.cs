using System.CommandLine;
using Vipd.Commands;
using Vipd.Hosting;

StartupTrace.Mark("main");

var root = new RootCommand("vipd: virtual IP addresses that follow healthy servers (gossip, election, gratuitous ARP / unsolicited NA)");
root.Subcommands.Add(RunCommand.Create());
root.Subcommands.Add(CheckCommand.Create());
root.Subcommands.Add(CleanupCommand.Create());
root.Subcommands.Add(KeygenCommand.Create());
root.Subcommands.Add(VersionCommand.Create());
// The host handles SIGTERM itself (hand over, unbind, leave: up to ~6 s); System.CommandLine's own handler would
// kill the process 2 s after SIGTERM, in the middle of a handover.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
var parsed = root.Parse(args);
StartupTrace.Mark("parsed");
return await parsed.InvokeAsync(invocation).ConfigureAwait(false);
