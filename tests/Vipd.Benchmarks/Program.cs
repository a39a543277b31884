using Vipd.Benchmarks;

// One subcommand per benchmark; add new ones to the table below.
var commands = new Dictionary<string, (string Help, Func<BenchmarkOptions, Task<int>> Run)>(StringComparer.Ordinal)
{
    ["dataplane"] = ("bind, announce and remove VIPs in a namespace lab; latency from owned to the first announcement on the wire", DataplaneBenchmark.RunAsync),
    ["leanscale"] = ("lean node records in the deterministic simulation: settle, idle bytes/s per node, record size, one holder each after a crash and the bytes it moved (VIPD_LEANSCALE=20x2000,100x10000)", LeanScaleBenchmark.RunAsync),
    ["l2scale"] = ("3 vipd nodes, many VIPs moved by a crash, unpaced and at 15 pps: client neighbour entries, every first announcement, peak announcements/s (VIPD_L2SCALE=4x480,6x1000)", L2ScaleBenchmark.RunAsync),
    ["failover"] = ("vipd and keepalived side by side, 3 nodes each in a namespace lab: crash gaps (host died, daemon killed) and planned handover at the client, idle RSS and bytes/s, ratios (VIPD_PROFILE=default|fast|default,fast; --markdown FILE)", FailoverBenchmark.RunAsync),
    ["report"] = ("the published figures: failover (both profiles, with keepalived), footprint and startup in one run, written to BENCHMARKS.md (or --markdown FILE)", ReportCommand.RunAsync),
    ["bgp"] = ("BGP mode against FRR in a namespace lab, at a client behind the router: crash outage and broken flows, drain and planned stop, advertise/withdraw latency (VIPD_BGP_POLICY, default active-standby,active-active; VIPD_BFD_MS, default 50,100; VIPD_PROFILE, default fast)", BgpBenchmark.RunAsync),
    ["upgrade"] = ("the rolling upgrade from 0.1.0 in a namespace lab, 3 nodes replaced one at a time, with quorum = true and without: each VIP's holders (two at once, none), the client's gap, the new node's EventId 2013 line (VIPD_OLD_BINARY=path to vipd 0.1.0, required)", UpgradeBenchmark.RunAsync),
    ["footprint"] = ("3 idle vipd nodes in a namespace lab: RSS, RssAnon, managed heap, threads and wire bytes/s per node (all frames, Ethernet overhead included); DOTNET_* reaches the daemons", FootprintBenchmark.RunAsync),
    ["scale"] = ("VIPs at scale in the deterministic simulation: settle time, idle bytes/s, record size, convergence after a crash (VIPD_SCALE=3x400,10x1000,10x10000)", ScaleBenchmark.RunAsync),
    ["startup"] = ("3 vipd nodes in a namespace lab: exec -> READY=1 of a node restarted with peers up, split into phases; first gRPC call after READY (VIPD_PROFILE=fast for the fast profile)", StartupBenchmark.RunAsync),
    ["simulation"] = ("membership in the deterministic simulation: crash detection and idle bytes/s per node for 10 and 100 nodes (VIPD_SIM_NODES=10,100,1000 for more)", SimulationBenchmark.RunAsync),
};

if (args.Length == 0 || !commands.TryGetValue(args[0], out var command))
{
    Console.Error.WriteLine("usage: Vipd.Benchmarks <benchmark> [--runs N] [--warmup N] [--json FILE] [--markdown FILE]");
    foreach (var (name, (help, _)) in commands)
    {
        Console.Error.WriteLine($"  {name,-12} {help}");
    }

    return 2;
}

if (!BenchmarkOptions.TryParse(args.AsSpan(1), out var options, out var error))
{
    Console.Error.WriteLine(error);
    return 2;
}

return await command.Run(options).ConfigureAwait(false);
