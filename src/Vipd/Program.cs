using System.CommandLine;
using Vipd.Commands;

var root = new RootCommand("vipd: virtual IP addresses that follow healthy servers (gossip, election, gratuitous ARP / unsolicited NA)");
root.Subcommands.Add(RunCommand.Create());
root.Subcommands.Add(CheckCommand.Create());
root.Subcommands.Add(CleanupCommand.Create());
root.Subcommands.Add(KeygenCommand.Create());
root.Subcommands.Add(VersionCommand.Create());
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
