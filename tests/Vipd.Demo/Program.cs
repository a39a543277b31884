using System.Diagnostics;
using System.Globalization;
using Vipd.Demo;

// Usage: Vipd.Demo --vipd PATH [--nodes 3] [--compare] [bgp]
var vipd = args.SkipWhile(a => a != "--vipd").Skip(1).FirstOrDefault();
if (vipd is null || !File.Exists(vipd))
{
    Console.Error.WriteLine("usage: Vipd.Demo --vipd PATH_TO_VIPD [--nodes N] [--compare] [bgp]   (run it through `bash examples/demo`)");
    return 2;
}

var nodes = int.Parse(args.SkipWhile(a => a != "--nodes").Skip(1).FirstOrDefault() ?? "3", CultureInfo.InvariantCulture);
using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
var clock = Stopwatch.StartNew();
try
{
    return args.Contains("bgp")
        ? await BgpDemoRun.RunAsync(Path.GetFullPath(vipd), clock, timeout.Token).ConfigureAwait(false)
        : await DemoRun.RunAsync(Path.GetFullPath(vipd), nodes, args.Contains("--compare"), clock, timeout.Token).ConfigureAwait(false);
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("demo: gave up after 3 minutes; everything it made has been removed");
    return 1;
}
